package dev.whittle.benchmarks;

import dev.whittle.ir.Model;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Reading and writing the 90 MB MiniLM model, with a 128 MB heap (weights stay memory-mapped). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx128m", "--sun-misc-unsafe-memory-access=allow"})
public class ModelIoBenchmark {
  private Path source;
  private Path dir;
  private Model model;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    source = BenchmarkModels.fetched("minilm/all-minilm-l6-v2.onnx");
    dir = Files.createTempDirectory("whittle-io-bench");
    model = OnnxReader.read(source);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(dir.resolve("out.onnx"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public int readMiniLm() {
    return OnnxReader.read(source).graph().nodeCount();
  }

  @Benchmark
  public long writeMiniLm() throws IOException {
    Path out = dir.resolve("out.onnx");
    OnnxWriter.write(model, out);
    return Files.size(out);
  }
}
