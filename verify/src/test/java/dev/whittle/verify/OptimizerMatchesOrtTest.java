package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.runtime.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer's acceptance figures: each real model optimized by the default pipeline is smaller
 * (node counts against onnx-simplifier's and ONNX Runtime's own results) and computes the same
 * outputs in ONNX Runtime and in Whittle's runtime.
 */
class OptimizerMatchesOrtTest {
  @TempDir Path dir;

  private static long count(Model m, String op) {
    return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).count();
  }

  /** Runs both files in ONNX Runtime and the optimized one in Whittle's runtime; returns the worst absolute difference. */
  private double worstDifference(Path original, Model optimized, Map<String, Tensor> inputs) throws IOException {
    Path out = dir.resolve("optimized.onnx");
    OnnxWriter.write(optimized, out);
    Map<String, Tensor> expected;
    Map<String, Tensor> ort;
    try (OrtRunner a = OrtRunner.open(original); OrtRunner b = OrtRunner.open(out)) {
      expected = a.run(inputs);
      ort = b.run(inputs);
    }
    Map<String, Tensor> whittle;
    try (Session s = Session.open(OnnxReader.read(out))) {
      whittle = s.run(inputs);
    }
    double worst = 0;
    for (String name : expected.keySet()) {
      worst = Math.max(worst, maxAbs(expected.get(name), ort.get(name)));
      worst = Math.max(worst, maxAbs(expected.get(name), whittle.get(name)));
    }
    return worst;
  }

  private static double maxAbs(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    assertEquals(x.length, y.length);
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
    return worst;
  }

  private void ultraface(String file, int maxNodes) throws IOException {
    Path shared = TestAssets.shared();
    Path model = shared.resolve("models/cnn/ultraface-rfb-320/" + file);
    Model m = OnnxReader.read(model);
    Model opt = Optimizer.run(m).model();
    assertTrue(opt.graph().nodes().size() <= maxNodes, file + ": " + opt.graph().nodes().size() + " nodes, onnx-simplifier reaches " + maxNodes);
    Map<String, Tensor> in = new RandomInputs().seed(5).floatRange(-1, 1).generate(m.graph().inputs());
    double worst = worstDifference(model, opt, in);
    assertTrue(worst <= 1e-5, file + ": max abs difference " + worst);
  }

  @Test
  void ultrafaceRfbReachesOnnxSimplifiersNodeCount() throws IOException {
    ultraface("version-RFB-320_without_postprocessing.onnx", 110);
  }

  @Test
  void ultrafaceSlimReachesOnnxSimplifiersNodeCount() throws IOException {
    ultraface("version-slim-320_without_postprocessing.onnx", 95);
  }

  @Test
  void miniLmEndsWithFewerNodesThanOrtBasicLevel() throws IOException {
    Path model = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx");
    Path ortBasic = dir.resolve("ort-basic.onnx");
    OrtRunner.saveOptimized(model, OptLevel.BASIC_OPT, ortBasic);
    int ortNodes = OnnxReader.read(ortBasic).graph().nodes().size();
    Model m = OnnxReader.read(model);
    Model opt = Optimizer.run(m).model();
    int ours = opt.graph().nodes().size();
    assertTrue(ours < ortNodes, "Whittle " + ours + " nodes, ONNX Runtime basic level " + ortNodes);
    Map<String, Tensor> in = new RandomInputs().seed(9).intRange(30522).symbolicSize(16).generate(m.graph().inputs());
    in.put("attention_mask", Tensor.ofLongs(new long[] {1, 16}, filled(16, 1)));
    in.put("token_type_ids", Tensor.ofLongs(new long[] {1, 16}, filled(16, 0)));
    double worst = worstDifference(model, opt, in);
    assertTrue(worst <= 1e-4, "max abs difference " + worst);
    System.out.printf("MiniLM: %d nodes -> Whittle %d, ONNX Runtime basic %d; max abs difference %.2e%n",
        m.graph().nodes().size(), ours, ortNodes, worst);
  }

  @Test
  void miniLmAtOpset20GetsLayerNormalizationAndGelu() throws IOException {
    Path model = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx");
    Path ortExtended = dir.resolve("ort-extended.onnx");
    OrtRunner.saveOptimized(model, OptLevel.EXTENDED_OPT, ortExtended);
    int ortNodes = OnnxReader.read(ortExtended).graph().nodes().size();
    Model m = OnnxReader.read(model);
    Model opt = atOpset(m, 20);
    assertEquals(13, count(opt, "LayerNormalization"), "2 per layer and the embeddings'");
    assertEquals(6, count(opt, "Gelu"), "one per layer");
    Map<String, Tensor> in = new RandomInputs().seed(9).intRange(30522).symbolicSize(16).generate(m.graph().inputs());
    in.put("attention_mask", Tensor.ofLongs(new long[] {1, 16}, filled(16, 1)));
    in.put("token_type_ids", Tensor.ofLongs(new long[] {1, 16}, filled(16, 0)));
    double worst = worstDifference(model, opt, in);
    assertTrue(worst <= 1e-4, "max abs difference " + worst);
    System.out.printf("MiniLM at opset 20: Whittle %d nodes (standard ops), ONNX Runtime extended level %d (with its"
        + " com.microsoft fused ops); max abs difference %.2e%n", opt.graph().nodes().size(), ortNodes, worst);
  }

  @Test
  void miniLmAtOpset23GetsAttention() throws IOException {
    Path model = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx");
    Model m = OnnxReader.read(model);
    Model opt = atOpset(m, 23);
    assertEquals(6, count(opt, "Attention"), "one per layer");
    assertEquals(0, count(opt, "Softmax"));
    assertEquals(0, count(opt, "Transpose"));
    // the last 5 of 16 positions are padding: the mask really masks
    Map<String, Tensor> in = new RandomInputs().seed(11).intRange(30522).symbolicSize(16).generate(m.graph().inputs());
    long[] mask = filled(16, 1);
    java.util.Arrays.fill(mask, 11, 16, 0);
    in.put("attention_mask", Tensor.ofLongs(new long[] {1, 16}, mask));
    in.put("token_type_ids", Tensor.ofLongs(new long[] {1, 16}, filled(16, 0)));
    double worst = worstDifference(model, opt, in);
    assertTrue(worst <= 1e-4, "max abs difference " + worst);
    System.out.printf("MiniLM at opset 23: Whittle %d nodes with 6 Attention; max abs difference %.2e (padded mask)%n",
        opt.graph().nodes().size(), worst);
  }

  /** The model converted to {@code opset} and run through the default pipeline. */
  private static Model atOpset(Model m, long opset) {
    java.util.List<String> passes = new java.util.ArrayList<>(java.util.List.of("convert-opset"));
    passes.addAll(dev.whittle.passes.Passes.pipeline("default"));
    return Optimizer.run(m, passes, Optimizer.Settings.defaults()
        .withPassOptions(Map.of("convert-opset", Map.of("to", Long.toString(opset))))).model();
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Test
  void paddleOcrClassifierConstantsBecomeInitializersAndBatchNormsFold() throws IOException {
    Path model = TestAssets.fetchedModel("paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx");
    Model m = OnnxReader.read(model);
    assertTrue(count(m, "Constant") > 0 && count(m, "BatchNormalization") > 0, "the model should start with both");
    Model opt = Optimizer.run(m).model();
    assertEquals(0, count(opt, "Constant"));
    assertEquals(0, count(opt, "BatchNormalization"));
    Map<String, Tensor> in = new RandomInputs().seed(13).floatRange(-1, 1).symbolicSize(1).shape("x", 1, 3, 48, 192)
        .generate(m.graph().inputs());
    double worst = worstDifference(model, opt, in);
    assertTrue(worst <= 1e-5, "max abs difference " + worst);
    System.out.printf("PaddleOCR cls: %d -> %d nodes; max abs difference %.2e%n", m.graph().nodes().size(),
        opt.graph().nodes().size(), worst);
  }
}
