package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path dir;

  private Path mnist() {
    return TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
  }

  @Test
  void testDataMatchExitsZeroAndMismatchExitsOne() throws IOException {
    Path data = mnist().resolveSibling("test_data_set_0");
    CliRun ok = CliRun.of("run", mnist().toString(), "--test-data", data.toString());
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
    assertTrue(ok.out().startsWith("match"), ok.out());
    // Same inputs, another data set's expected output: a mismatch.
    Path wrong = Files.createDirectories(dir.resolve("wrong"));
    Files.copy(data.resolve("input_0.pb"), wrong.resolve("input_0.pb"));
    Files.copy(mnist().resolveSibling("test_data_set_1/output_0.pb"), wrong.resolve("output_0.pb"));
    CliRun bad = CliRun.of("run", mnist().toString(), "--test-data", wrong.toString());
    assertEquals(1, bad.exitCode(), bad.out() + bad.err());
    assertTrue(bad.out().contains("MISMATCH"), bad.out());
  }

  @Test
  void printsOutputStatisticsForBothEngines() {
    String input = "Input3=" + mnist().resolveSibling("test_data_set_0/input_0.pb");
    for (String engine : new String[] {"whittle", "ort"}) {
      CliRun r = CliRun.of("run", mnist().toString(), "--input", input, "--engine", engine);
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(r.out().contains("Plus214_Output_0: float32[1,10] min ") && r.out().contains("time: "), r.out());
    }
  }

  @Test
  void profilePrintsTimePerOpType() {
    String input = "Input3=" + mnist().resolveSibling("test_data_set_0/input_0.pb");
    CliRun r = CliRun.of("run", mnist().toString(), "--input", input, "--profile", "2");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("ms per run over 2 runs") && r.out().contains("Conv ") && r.out().contains("calls/run"), r.out());
  }

  @Test
  void anOpWhittleLacksIsReportedBeforeRunning() throws IOException {
    Graph g = new Graph("g");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 2));
    g.addInput(x);
    Node n = g.addNode(new Node("TotallyMadeUp", "", "mystery"));
    n.addInput(x);
    Value y = g.newValue("y", Type.tensor(DType.FLOAT, 2));
    n.addOutput(y);
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    Path file = dir.resolve("mystery.onnx");
    OnnxWriter.write(m, file);
    Path in = dir.resolve("x.pb");
    OnnxWriter.writeTensor(Tensor.ofFloats(new long[] {2}, 1f, 2f), in);
    CliRun r = CliRun.of("run", file.toString(), "--input", "x=" + in);
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("unsupported ops: TotallyMadeUp") && r.err().contains("'mystery'"), r.err());
  }

  @Test
  void wrongInputTypeOrShapeAndMissingFilesAreClearErrors() throws IOException {
    Path longs = dir.resolve("longs.pb");
    OnnxWriter.writeTensor(Tensor.ofLongs(new long[] {1, 1, 28, 28}, new long[784]), longs);
    CliRun type = CliRun.of("run", mnist().toString(), "--input", "Input3=" + longs);
    assertEquals(2, type.exitCode());
    assertTrue(type.err().contains("'Input3'") && type.err().contains("float32[1,1,28,28]") && type.err().contains("int64"), type.err());
    Path small = dir.resolve("small.pb");
    OnnxWriter.writeTensor(Tensor.ofFloats(new long[] {1, 1, 14, 14}, new float[196]), small);
    CliRun shape = CliRun.of("run", mnist().toString(), "--input", "Input3=" + small);
    assertEquals(2, shape.exitCode());
    assertTrue(shape.err().contains("shape") && shape.err().contains("[1,1,14,14]"), shape.err());
    CliRun missing = CliRun.of("run", mnist().toString(), "--input", "Input3=" + dir.resolve("nope.pb"));
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("nope.pb") && missing.err().contains("file not found"), missing.err());
  }

  @Test
  void conformanceEndsWithTheSummaryLine() {
    CliRun r = CliRun.of("conformance", TestAssets.shared().resolve("onnx-node-tests/node").toString(), "--filter", "^test_abs$|^test_relu$");
    assertEquals(0, r.exitCode(), r.out());
    assertTrue(r.out().strip().endsWith("2 passed, 0 failed, 0 skipped"), r.out());
  }
}
