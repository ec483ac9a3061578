package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.report.Json;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
  @TempDir Path dir;

  private static String mnist() {
    return TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx").toString();
  }

  private static String images() {
    return TestAssets.shared().resolve("datasets/mnist/images.pb").toString();
  }

  private static long count(Model m, String op) {
    return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).count();
  }

  @Test
  void staticMnistWithAJsonReport() throws IOException {
    Path out = dir.resolve("q.onnx");
    Path report = dir.resolve("q.json");
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "static", "--per-channel", "--calibration", images(),
        "--samples", "50", "--calibrator", "percentile", "--report", report.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("2 node(s) quantized"), r.out()); // the 1-channel first Conv stays float
    assertTrue(r.out().contains("kept float 'Convolution28' (Conv): its input has 1 channel(s)"), r.out());
    Model m = OnnxReader.read(out);
    assertTrue(count(m, "QuantizeLinear") >= 4, m.graph().nodes().toString());
    assertTrue(m.metadataProps().get("whittle.quantization").contains("mode=static"), m.metadataProps().toString());
    Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(report));
    assertEquals(2, ((List<?>) json.get("nodes")).stream().filter(n -> Boolean.TRUE.equals(((Map<?, ?>) n).get("quantized"))).count());
  }

  @Test
  void dynamicWithCalibrationMeasuresSmoothingAndCanSkipIt() throws IOException {
    Path out = dir.resolve("smoothed.onnx");
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--per-channel", "--calibration", images(), "--samples", "20");
    assertEquals(0, r.exitCode(), r.err());
    // one activation considered (the classifier's input), smoothed or not with the error it measured
    assertTrue(r.out().contains("smoothed '") && r.out().contains("int8 product error"), r.out());
    assertTrue(r.out().contains("activation(s) smoothed on the calibration samples"), r.out());
    assertTrue(OnnxReader.read(out).metadataProps().get("whittle.quantization").contains("smoothing on calibration="));
    Path plain = dir.resolve("plain.onnx");
    CliRun skip = CliRun.of("quantize", mnist(), "-o", plain.toString(), "--per-channel", "--calibration", images(), "--samples", "20",
        "--no-smooth", "--opset", "13");
    assertEquals(0, skip.exitCode(), skip.err());
    assertFalse(skip.out().contains("int8 product error"), skip.out());
    assertEquals(13, OnnxReader.read(plain).defaultOpset());
    CliRun noText = CliRun.of("quantize", mnist(), "-o", dir.resolve("t.onnx").toString(), "--tokenizer", "tokenizer.json");
    assertEquals(64, noText.exitCode(), noText.err());
    assertTrue(noText.err().contains("--tokenizer needs --calibration TEXT_FILE"), noText.err());
    assertFalse(Files.exists(dir.resolve("t.onnx")));
  }

  @Test
  void budgetKeepsHarmfulNodesInFloatAndIsReproducible() throws IOException {
    Path a = dir.resolve("a.onnx");
    Path b = dir.resolve("b.onnx");
    String[] args = {"--mode", "static", "--calibration", images(), "--samples", "40", "--max-drop", "0.008", "--metric", "rel-l2"};
    CliRun ra = CliRun.of(concat(new String[] {"quantize", mnist(), "-o", a.toString()}, args));
    assertEquals(0, ra.exitCode(), ra.err());
    assertTrue(ra.out().contains("accuracy budget (rel-l2)"), ra.out());
    assertTrue(ra.out().contains("kept by the accuracy budget"), ra.out());
    CliRun rb = CliRun.of(concat(new String[] {"quantize", mnist(), "-o", b.toString()}, args));
    assertEquals(0, rb.exitCode(), rb.err());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void aBudgetThatCannotBeMetWritesNothing() {
    Path out = dir.resolve("never.onnx");
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "static", "--calibration", images(), "--samples", "20",
        "--max-drop", "0", "--metric", "rel-l2");
    assertEquals(2, r.exitCode(), r.out());
    assertTrue(r.err().contains("the accuracy budget cannot be met"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void usageErrorsAndUnsupportedFormats() {
    Path out = dir.resolve("never.onnx");
    CliRun noData = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "static");
    assertEquals(64, noData.exitCode());
    assertTrue(noData.err().contains("--calibration"), noData.err());
    CliRun qop = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "weight-only", "--format", "qop");
    assertEquals(2, qop.exitCode());
    assertTrue(qop.err().contains("qop"), qop.err());
    CliRun badMode = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "fast");
    assertEquals(2, badMode.exitCode());
    assertFalse(Files.exists(out));
  }

  @Test
  void theInputIsNeverOverwritten() throws IOException {
    Path copy = dir.resolve("m.onnx");
    Files.copy(Path.of(mnist()), copy);
    byte[] before = Files.readAllBytes(copy);
    CliRun r = CliRun.of("quantize", copy.toString(), "-o", copy.toString(), "--mode", "weight-only");
    assertEquals(64, r.exitCode(), r.out());
    assertArrayEquals(before, Files.readAllBytes(copy));
  }

  @Test
  void calibrationFromTestDataSetFolders() {
    Path out = dir.resolve("t.onnx");
    String folder = TestAssets.shared().resolve("models/cnn/mnist-8").toString(); // test_data_set_0..2
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "static", "--calibration", folder, "--calibrator",
        "moving-average", "--format", "qop");
    assertEquals(0, r.exitCode(), r.err());
    Model m = OnnxReader.read(out);
    assertEquals(1, count(m, "QLinearConv"), m.graph().nodes().stream().map(Node::opType).toList().toString());
    assertTrue(m.metadataProps().get("whittle.quantization").contains("calibrator=moving-average"), m.metadataProps().toString());
  }

  @Test
  void randomCalibrationIsFlagged() {
    Path out = dir.resolve("r.onnx");
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "static", "--calibration", "random", "--samples", "4");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("unfit for production"), r.out());
  }

  @Test
  void perTokenScalingIsChosenPerNode() {
    String minilm = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx").toString();
    CliRun wide = CliRun.of("quantize", minilm, "-o", dir.resolve("a.onnx").toString());
    CliRun two = CliRun.of("quantize", minilm, "-o", dir.resolve("b.onnx").toString(), "--per-token",
        "/encoder/layer.0/output/dense/MatMul,/encoder/layer.1/output/dense/MatMul");
    CliRun none = CliRun.of("quantize", minilm, "-o", dir.resolve("c.onnx").toString(), "--per-token", "none");
    assertEquals(6, wide.out().split("rows scaled", -1).length - 1, wide.out());
    assertEquals(2, two.out().split("rows scaled", -1).length - 1, two.out());
    assertEquals(0, none.out().split("rows scaled", -1).length - 1, none.out());
  }

  @Test
  void verifyPrintsABeforeAfterTable() {
    CliRun r = CliRun.of("quantize", mnist(), "-o", dir.resolve("q.onnx").toString(), "--mode", "static", "--calibration",
        images(), "--samples", "20", "--verify");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    for (String row : new String[] {"size, bytes", "cosine vs float, ort 'Plus214_Output_0'", "argmax agreement, whittle",
        "ONNX Runtime latency (1 thread)", "inputs: data set"}) {
      assertTrue(r.out().contains(row), row + " missing:\n" + r.out());
    }
  }

  @Test
  void weightOnlyThroughTheOptimizePass() {
    Path out = dir.resolve("w.onnx");
    CliRun r = CliRun.of("optimize", mnist(), "-o", out.toString(), "--passes", "remove-initializer-inputs,fold-constants,quantize-int8", "--option",
        "quantize-int8.mode=weight-only", "--option", "quantize-int8.per-channel=true");
    assertEquals(0, r.exitCode(), r.err());
    Model m = OnnxReader.read(out);
    assertEquals(3, count(m, "DequantizeLinear"), m.graph().nodes().stream().map(Node::opType).toList().toString());
  }

  @Test
  void weightOnlyUnpackedOnLoadWritesCastAndMulNotDequantizeLinear() {
    Path out = dir.resolve("u.onnx");
    CliRun r = CliRun.of("quantize", mnist(), "-o", out.toString(), "--mode", "weight-only", "--per-channel", "--unpack-on-load");
    assertEquals(0, r.exitCode(), r.err());
    Model m = OnnxReader.read(out);
    assertEquals(0, count(m, "DequantizeLinear"));
    assertEquals(3, count(m, "Cast"), m.graph().nodes().stream().map(Node::opType).toList().toString());
    assertTrue(r.out().contains("folded on load"), r.out());
    CliRun dynamic = CliRun.of("quantize", mnist(), "-o", dir.resolve("d.onnx").toString(), "--unpack-on-load");
    assertEquals(64, dynamic.exitCode());
    assertTrue(dynamic.err().contains("--unpack-on-load applies to --mode weight-only"), dynamic.err());
    assertFalse(Files.exists(dir.resolve("d.onnx")));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
