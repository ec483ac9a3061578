package dev.whittle.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Graph;
import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Type;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.passes.Optimizer;
import dev.whittle.passes.Passes;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each mode on small models, run in Whittle's runtime against the float model. */
class QuantModesTest {
  private static List<Map<String, Tensor>> inputs(String name, long seed, int n, long... dims) {
    Random r = new Random(seed);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of(name, QuantTestModels.randomFloats(r, dims)));
    }
    return out;
  }

  /** Mean relative L2 error of the quantized model's output against the float model's. */
  private static double relError(Model f, Model q, List<Map<String, Tensor>> inputs) {
    double total = 0;
    try (Session a = Session.open(f); Session b = Session.open(q)) {
      for (Map<String, Tensor> in : inputs) {
        float[] x = a.run(in).get("y").toFloatArray();
        float[] y = b.run(in).get("y").toFloatArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
          num += (x[i] - y[i]) * (x[i] - y[i]);
          den += x[i] * x[i];
        }
        total += Math.sqrt(num / den);
      }
    }
    return total / inputs.size();
  }

  private static long count(Model m, String op) {
    return m.graph().nodes().stream().filter(n -> n.is(op)).count();
  }

  @Test
  void dynamicMatMulsRunAndStayClose() {
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    for (boolean pc : new boolean[] {false, true}) {
      ModelQuantizer.Result r = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(pc));
      assertEquals(2, r.quantizedCount(), r.decisions().toString());
      assertEquals(2, count(r.model(), "MatMulInteger"));
      assertEquals(0, count(r.model(), "MatMul"));
      assertTrue(r.model().graph().initializers().stream().noneMatch(v -> v.name().equals("w1")), "float weight left behind");
      double e = relError(f, r.model(), inputs("x", 5, 4, 4, 64));
      assertTrue(e < 0.03, "per-channel " + pc + ": " + e);
    }
  }

  @Test
  void perTokenActivationsForWideMatMuls() {
    // w2 is [32,16]: wide (K > N), so it is quantized per token by default; w1 [64,32] as well
    Model f = QuantTestModels.mlp(4, 3, 64, 32, 16);
    ModelQuantizer.Result r = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(2, count(r.model(), "ReduceMax"));
    ModelQuantizer.Result none = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerToken(Set.of()));
    assertEquals(0, count(none.model(), "ReduceMax"));
    assertEquals(2, count(none.model(), "DynamicQuantizeLinear")); // x and the Relu output
    assertTrue(relError(f, r.model(), inputs("x", 6, 4, 3, 64)) < 0.03);
  }

  @Test
  void weightOnlyKeepsFloatCompute() {
    Model f = QuantTestModels.cnn(7, 3, 8, 8);
    ModelQuantizer.Result r = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY).withPerChannel(true));
    assertEquals(2, r.quantizedCount());
    assertEquals(2, count(r.model(), "DequantizeLinear"));
    assertEquals(2, count(r.model(), "Conv"));
    assertTrue(relError(f, r.model(), inputs("x", 8, 3, 1, 3, 8, 8)) < 0.02);
    assertTrue(OnnxWriter.toBytes(r.model()).length < OnnxWriter.toBytes(f).length);
  }

  /** The Cast/Sub/Mul form computes what DequantizeLinear computes: the two quantized models agree to float rounding. */
  @Test
  void weightOnlyUnpackedOnLoadEqualsTheDequantizeLinearForm() {
    Model f = QuantTestModels.cnn(7, 3, 8, 8);
    for (boolean perChannel : new boolean[] {false, true}) {
      for (boolean asymmetric : new boolean[] {false, true}) {
        QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY).withPerChannel(perChannel)
            .withAsymmetricWeights(asymmetric);
        Model dq = ModelQuantizer.quantize(f, o).model();
        ModelQuantizer.Result r = ModelQuantizer.quantize(f, o.withUnpackOnLoad(true));
        String what = "per-channel " + perChannel + ", asymmetric " + asymmetric;
        assertEquals(2, r.quantizedCount(), what);
        assertEquals(0, count(r.model(), "DequantizeLinear"), what);
        assertEquals(2, count(r.model(), "Cast"), what);
        assertEquals(asymmetric ? 2 : 0, count(r.model(), "Sub"), what);
        assertTrue(relError(dq, r.model(), inputs("x", 8, 3, 1, 3, 8, 8)) < 1e-6, what);
      }
    }
  }

  @Test
  void dynamicKeepsConvInFloatAndSaysWhy() {
    ModelQuantizer.Result r = ModelQuantizer.quantize(QuantTestModels.cnn(7, 3, 8, 8),
        QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(0, r.quantizedCount());
    assertTrue(r.decisions().getFirst().detail().contains("ConvInteger"), r.decisions().toString());
  }

  @Test
  void staticQdqOnACnnWithEachCalibrator() {
    Model f = QuantTestModels.cnn(9, 4, 8, 8);
    List<Map<String, Tensor>> calibration = inputs("x", 10, 16, 1, 4, 8, 8);
    for (Calibrator.Kind kind : Calibrator.Kind.values()) {
      ModelQuantizer.Result r = StaticQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true),
          calibration, kind, 16);
      assertEquals(2, r.quantizedCount(), r.decisions().toString());
      // input and Relu output quantized (the graph output y stays float); weights and biases dequantized
      assertEquals(2, count(r.model(), "QuantizeLinear"), kind.id());
      assertEquals(2 + 2 + 1, count(r.model(), "DequantizeLinear"), kind.id());
      Node reluQ = r.model().graph().nodes().stream().filter(n -> n.is("QuantizeLinear") && n.input(0).name().equals("a")).findFirst().orElse(null);
      assertNotNull(reluQ, "the Relu output is quantized");
      assertEquals(0, reluQ.input(2).initializer().toByteArray()[0]); // zero point 0: ONNX Runtime may drop the Relu
      double e = relError(f, r.model(), inputs("x", 11, 4, 1, 4, 8, 8));
      // entropy clips hardest on 16 noise samples
      assertTrue(e < (kind == Calibrator.Kind.ENTROPY ? 0.3 : 0.1), kind.id() + ": " + e);
    }
  }

  @Test
  void staticKeepsConvsOnThreeOrFewerChannelsInFloat() {
    Model f = QuantTestModels.cnn(9, 3, 8, 8);
    ModelQuantizer.Result r = StaticQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC),
        inputs("x", 10, 4, 1, 3, 8, 8), Calibrator.Kind.MINMAX, 4);
    assertEquals(1, r.quantizedCount(), r.decisions().toString());
    assertTrue(r.decisions().stream().anyMatch(d -> !d.quantized() && d.node().equals("conv1") && d.detail().contains("channel")),
        r.decisions().toString());
  }

  @Test
  void aFloatConvReadsTheFloatValueNotADequantizedOne() {
    // ONNX Runtime would quantize a Conv fed by DequantizeLinear itself (per tensor); conv2 kept float must read 'a'
    Model f = QuantTestModels.cnn(9, 4, 8, 8);
    ModelQuantizer.Result r = StaticQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC)
        .withExclude(Set.of("conv2")), inputs("x", 10, 4, 1, 4, 8, 8), Calibrator.Kind.MINMAX, 4);
    Node conv2 = r.model().graph().nodes().stream().filter(n -> n.name().equals("conv2")).findFirst().orElseThrow();
    assertEquals("a", conv2.input(0).name());
    assertEquals(1, count(r.model(), "QuantizeLinear"), "only conv1's input: nothing quantized reads 'a'");
    // the quantized twin: conv2 reads the dequantized Relu output
    ModelQuantizer.Result both = StaticQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC),
        inputs("x", 10, 4, 1, 4, 8, 8), Calibrator.Kind.MINMAX, 4);
    Node q2 = both.model().graph().nodes().stream().filter(n -> n.name().equals("conv2")).findFirst().orElseThrow();
    assertTrue(q2.input(0).producer().is("DequantizeLinear"));
  }

  @Test
  void unnamedNodesAreNamedAfterTheirOutputSoTheyCanBeExcluded() {
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    f.graph().nodes().forEach(n -> n.setName(""));
    ModelQuantizer.Result all = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(List.of("h", "y"), all.decisions().stream().map(ModelQuantizer.Decision::node).toList());
    ModelQuantizer.Result one = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withExclude(Set.of("y")));
    assertEquals(1, one.quantizedCount(), one.decisions().toString());
    assertTrue(f.graph().nodes().stream().allMatch(n -> n.name().isEmpty()), "the input model is untouched");
  }

  @Test
  void convsInsideSubgraphsAreReportedKeptFloat() {
    Model m = QuantTestModels.cnn(9, 4, 8, 8);
    Graph branch = m.graph();
    Graph main = new Graph("main");
    Value cond = main.newValue("cond", new Type.TensorType(DType.BOOL, dev.whittle.ir.Shape.of()));
    main.addInput(cond);
    Node ifNode = new Node("If", "", "if");
    ifNode.addInput(cond);
    ifNode.setAttribute(Attribute.of("then_branch", branch));
    ifNode.setAttribute(Attribute.of("else_branch", branch.copy()));
    Value out = main.newValue("out");
    ifNode.addOutput(out);
    main.addNode(ifNode);
    main.addOutput(out);
    m.setGraph(main);
    StaticQuantizer.Plan p = StaticQuantizer.plan(m, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC));
    ModelQuantizer.Result r = StaticQuantizer.apply(p, Map.of());
    assertEquals(0, r.quantizedCount());
    assertEquals(4, r.decisions().size(), r.decisions().toString());
    assertTrue(r.decisions().stream().allMatch(d -> d.detail().contains("inside subgraph") && d.detail().contains("'if' (If)")),
        r.decisions().toString());
  }

  @Test
  void staticIsDeterministic() {
    Model f = QuantTestModels.mlp(12, 2, 16, 8, 4);
    List<Map<String, Tensor>> calibration = inputs("x", 13, 8, 2, 16);
    QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withSymmetric(true);
    byte[] a = OnnxWriter.toBytes(StaticQuantizer.quantize(f, o, calibration, Calibrator.Kind.ENTROPY, 8).model());
    byte[] b = OnnxWriter.toBytes(StaticQuantizer.quantize(f, o, calibration, Calibrator.Kind.ENTROPY, 8).model());
    assertTrue(Arrays.equals(a, b));
  }

  @Test
  void excludedNodesStayFloat() {
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    ModelQuantizer.Result r = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withExclude(Set.of("mm2")));
    assertEquals(1, r.quantizedCount());
    assertEquals(1, count(r.model(), "MatMul"));
  }

  @Test
  void budgetKeepsTheWorstNodeAndFailsWhenItCannot() {
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    List<Map<String, Tensor>> samples = inputs("x", 14, 4, 4, 64);
    QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerToken(Set.of());
    double full = AccuracyBudget.drop(AccuracyBudget.Metric.REL_L2, AccuracyBudget.outputs(f, samples),
        AccuracyBudget.outputs(ModelQuantizer.quantize(f, o).model(), samples));
    AccuracyBudget.Outcome out = AccuracyBudget.fit(f, o, opts -> ModelQuantizer.quantize(f, opts), samples, AccuracyBudget.Metric.REL_L2,
        full * 0.9);
    assertEquals(1, out.keptFloat().size());
    assertTrue(out.drop() <= full * 0.9);
    assertEquals(out.ranking().getFirst().node(), out.keptFloat().getFirst());
    WhittleException e = assertThrows(WhittleException.class, () -> AccuracyBudget.fit(f, o, opts -> ModelQuantizer.quantize(f, opts), samples,
        AccuracyBudget.Metric.REL_L2, 0));
    assertTrue(e.getMessage().contains("cannot be met"), e.getMessage());
  }

  @Test
  void thePassIsRegisteredAndIdempotent() {
    assertTrue(Passes.all().containsKey("quantize-int8"));
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    Optimizer.Result once = Optimizer.run(f, List.of("quantize-int8"));
    assertEquals(2, once.total("quantize-int8", "quantized"));
    assertEquals(2, count(once.model(), "MatMulInteger"));
    Optimizer.Result twice = Optimizer.run(once.model(), List.of("quantize-int8"));
    assertEquals(0, twice.total("quantize-int8", "quantized"));
    WhittleException e = assertThrows(WhittleException.class, () -> Optimizer.run(f, List.of("quantize-int8"),
        Optimizer.Settings.defaults().withPassOptions(Map.of("quantize-int8", Map.of("mode", "static")))));
    assertTrue(e.getMessage().contains("calibration"), e.getMessage());
  }

  @Test
  void oldOpsetsAreConvertedOrTheReasonIsGiven() {
    Model f = QuantTestModels.mlp(3, 4, 64, 32, 16);
    f.opsetImports().put("", 9L);
    ModelQuantizer.Result r = ModelQuantizer.quantize(f, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(11, r.model().defaultOpset());
    assertEquals(9, f.defaultOpset(), "the input model is untouched");
    // Clip's min/max became inputs at opset 11: convert-opset rewrites the node and the model is quantized
    Model g = QuantTestModels.mlp(3, 4, 64, 32, 16);
    addReader(g, 9, "Clip");
    ModelQuantizer.Result clipped = ModelQuantizer.quantize(g, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(2, clipped.quantizedCount(), clipped.decisions().toString());
    assertEquals(11, clipped.model().defaultOpset());
    // Tile-1 (tiles and axis) has no conversion to Tile-6: nothing is quantized and the reason names the node
    Model t = QuantTestModels.mlp(3, 4, 64, 32, 16);
    Node tile = addReader(t, 5, "Tile");
    tile.addInput(t.graph().addInitializer("tiles", Tensor.scalar(2L)));
    tile.addInput(t.graph().addInitializer("axis", Tensor.scalar(0L)));
    ModelQuantizer.Result kept = ModelQuantizer.quantize(t, QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC));
    assertEquals(0, kept.quantizedCount());
    assertTrue(kept.decisions().getFirst().detail().contains("Tile"), kept.decisions().toString());
  }

  /** Sets {@code m}'s opset and adds a node {@code op} reading its output. */
  private static Node addReader(Model m, long opset, String op) {
    m.opsetImports().put("", opset);
    Node n = new Node(op, "", op.toLowerCase(java.util.Locale.ROOT));
    Value z = m.graph().newValue("z");
    n.addInput(m.graph().outputs().getFirst());
    n.addOutput(z);
    m.graph().addNode(n);
    return n;
  }

}
