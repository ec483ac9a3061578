package dev.whittle.benchmarks;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.passes.Optimizer;
import dev.whittle.quantization.ActivationSmoothing;
import dev.whittle.quantization.CalibrationData;
import dev.whittle.quantization.Calibrator;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.quantization.StaticQuantizer;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.SessionOptions;
import dev.whittle.verify.InputSource;
import dev.whittle.verify.OrtRunner;
import dev.whittle.verify.text.SentenceInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What int8 quantization does to inference time, one thread, every form in the same run, in ONNX
 * Runtime and in Whittle's runtime. Each {@code variant} is one file, built in the setup the way
 * {@code whittle quantize} builds it:
 *
 * <ul>
 *   <li>{@code mnist-8/fp32} — the original; {@code mnist-8/weight-only-unpacked} — int8 per-channel
 *       weights widened by Cast and Mul ({@code --mode weight-only --per-channel --unpack-on-load});
 *       {@code mnist-8/static-qdq} — calibrated int8 compute ({@code --mode static --per-channel},
 *       digits 0–499). Input: digit 500 of {@code ../shared/datasets/mnist}.
 *   <li>{@code minilm-48/fp32} — the original; {@code minilm-48/dynamic} — the README's first
 *       command (opset 23, optimized, smoothed on the first 100 calibration sentences, dynamic
 *       per-channel int8); {@code minilm-48/ort-twin} — ONNX Runtime's own quantized MiniLM. Input:
 *       one real sentence padded to 48 tokens.
 * </ul>
 *
 * <p>Ratios are read within one model: each variant's score against its {@code fp32} score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class QuantizedInferenceBenchmark {
  private static final int MNIST_CALIBRATION = 500;
  private static final int MINILM_LENGTH = 48;
  private static final int MINILM_CALIBRATION = 100;

  @Param({"mnist-8/fp32", "mnist-8/weight-only-unpacked", "mnist-8/static-qdq", "minilm-48/fp32", "minilm-48/dynamic",
      "minilm-48/ort-twin"})
  public String variant;

  private OrtRunner ort;
  private Session whittle;
  private Map<String, Tensor> inputs;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] file = variant.startsWith("mnist-8/") ? mnist(variant.substring("mnist-8/".length()))
        : miniLm(variant.substring("minilm-48/".length()));
    System.out.printf("%n%s: %,d bytes%n", variant, file.length);
    ort = OrtRunner.open(file);
    whittle = Session.open(OnnxReader.parse(file), SessionOptions.defaults().withThreads(1));
  }

  private byte[] mnist(String form) {
    Path fp32 = BenchmarkModels.shared("cnn/mnist-8/model.onnx");
    Path digits = BenchmarkModels.sharedFile("datasets/mnist/images.pb");
    Model original = OnnxReader.read(fp32);
    inputs = CalibrationData.stacked(digits, original, MNIST_CALIBRATION, 1).iterator().next();
    if (form.equals("fp32")) {
      return read(fp32);
    }
    Model optimized = Optimizer.run(original).model();
    ModelQuantizer.Result r = switch (form) {
      case "weight-only-unpacked" -> ModelQuantizer.quantize(optimized,
          QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY).withPerChannel(true).withUnpackOnLoad(true));
      case "static-qdq" -> StaticQuantizer.quantize(optimized,
          QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true),
          CalibrationData.stacked(digits, optimized, 0, MNIST_CALIBRATION), Calibrator.Kind.MINMAX, MNIST_CALIBRATION);
      default -> throw new IllegalArgumentException("unknown mnist-8 variant " + form);
    };
    return OnnxWriter.toBytes(r.model());
  }

  private byte[] miniLm(String form) {
    inputs = BenchmarkModels.miniLmInputs(MINILM_LENGTH);
    switch (form) {
      case "fp32":
        return read(BenchmarkModels.fetched("minilm/all-minilm-l6-v2.onnx"));
      case "ort-twin":
        return read(BenchmarkModels.fetched("minilm-q/all-minilm-l6-v2-q.onnx"));
      case "dynamic":
        break;
      default:
        throw new IllegalArgumentException("unknown minilm-48 variant " + form);
    }
    Model converted = Optimizer.run(OnnxReader.read(BenchmarkModels.fetched("minilm/all-minilm-l6-v2.onnx")), List.of("convert-opset"),
        Optimizer.Settings.defaults().withPassOptions(Map.of("convert-opset", Map.of("to", "23")))).model();
    Model optimized = Optimizer.run(converted).model();
    QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(true).withPerToken(Set.of());
    List<Map<String, Tensor>> calibration = new SentenceInputs(BenchmarkModels.calibrationSentences(),
        BenchmarkModels.fetched("minilm/all-minilm-l6-v2-tokenizer.json"), 0, MINILM_CALIBRATION, true).samples(optimized).stream()
        .map(InputSource.Sample::inputs).toList();
    Model smoothed = ActivationSmoothing.apply(optimized, o, calibration, MINILM_CALIBRATION).model();
    return OnnxWriter.toBytes(ModelQuantizer.quantize(smoothed, o).model());
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ort.close();
    whittle.close();
  }

  @Benchmark
  public Map<String, Tensor> ort() {
    return ort.run(inputs);
  }

  @Benchmark
  public Map<String, Tensor> whittle() {
    return whittle.run(inputs);
  }
}
