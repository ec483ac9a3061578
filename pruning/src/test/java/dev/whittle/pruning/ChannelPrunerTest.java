package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.check.ModelChecker;
import dev.whittle.passes.Optimizer;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * Channel pruning on small graphs built in memory. The reference for every numeric check is the
 * ORIGINAL model with the input weights of the removed channels zeroed in the layers that read them
 * (the consumer's rows for those channels; for a Reshape/Flatten, each channel's block of H·W rows):
 * a channel whose every use is multiplied by zero contributes nothing, whatever BatchNormalization,
 * bias, Relu or pooling did to it on the way, so that model must compute exactly what the physically
 * smaller one computes. The removed channels themselves are checked against L1/L2 norms computed here.
 */
class ChannelPrunerTest {
  private final Random random = new Random(11);

  // ---- building graphs ----

  private static Model model(Graph g) {
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private Tensor randn(long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Tensor.ofFloats(dims, v);
  }

  private static Value node(Graph g, String op, String name, List<Value> inputs, Attribute... attrs) {
    Node n = g.addNode(new Node(op, "", name));
    inputs.forEach(n::addInput);
    for (Attribute a : attrs) {
      n.setAttribute(a);
    }
    Value out = g.newValue(name + "_out");
    n.addOutput(out);
    return out;
  }

  private Value conv(Graph g, String name, Value x, int out, int in, int k, long group) {
    Value w = g.addInitializer(name + "_w", randn(out, in, k, k));
    Value b = g.addInitializer(name + "_b", randn(out));
    int p = k / 2;
    return node(g, "Conv", name, List.of(x, w, b), Attribute.ofInts("kernel_shape", k, k), Attribute.ofInts("pads", p, p, p, p),
        Attribute.of("group", group));
  }

  private static Value input(Graph g, long... dims) {
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, dims));
    g.addInput(x);
    return x;
  }

  // ---- checking ----

  private Map<String, Tensor> sample(Model m) {
    Value x = m.graph().inputs().getFirst();
    return Map.of(x.name(), randn(x.tensorType().shape().toArray()));
  }

  private static float[] run(Model m, Map<String, Tensor> in) {
    try (Session s = Session.open(m)) {
      return s.run(in).values().iterator().next().toFloatArray();
    }
  }

  /** The original model with, in {@code consumer}'s weight, the positions of {@code axis} that {@code removed} accepts zeroed. */
  private static Model zeroRows(Model original, Map<String, Integer> axisByWeight, Map<String, IntPredicate> removedByWeight) {
    Model m = original.copy();
    for (Map.Entry<String, Integer> e : axisByWeight.entrySet()) {
      Value v = m.graph().value(e.getKey());
      Tensor t = v.initializer();
      float[] w = t.toFloatArray();
      long[] d = t.dims();
      int axis = e.getValue();
      long inner = 1;
      for (int i = axis + 1; i < d.length; i++) {
        inner *= d[i];
      }
      for (int i = 0; i < w.length; i++) {
        int pos = (int) (i / inner % d[axis]);
        if (removedByWeight.get(e.getKey()).test(pos)) {
          w[i] = 0;
        }
      }
      m.graph().setInitializer(v, Tensor.ofFloats(d, w));
    }
    return m;
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    double scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, scale), "output " + i);
    }
  }

  private static IntPredicate removed(int[] kept) {
    return c -> Arrays.stream(kept).noneMatch(k -> k == c);
  }

  /** Indices of the {@code count} channels (axis 0 of a weight) of smallest L1 or L2 norm. */
  private static Set<Integer> smallest(Tensor w, int count, boolean l2) {
    float[] v = w.toFloatArray();
    int n = (int) w.dim(0);
    int per = v.length / n;
    double[] s = new double[n];
    for (int c = 0; c < n; c++) {
      for (int i = 0; i < per; i++) {
        s[c] += l2 ? v[c * per + i] * v[c * per + i] : Math.abs(v[c * per + i]);
      }
    }
    Integer[] idx = new Integer[n];
    Arrays.setAll(idx, i -> i);
    Arrays.sort(idx, (a, b) -> Double.compare(s[a], s[b]));
    return Set.of(Arrays.copyOf(idx, count));
  }

  private static ChannelPruner.LayerChannels layer(ChannelPruner.Result r, String node) {
    return r.layers().stream().filter(l -> l.node().equals(node)).findFirst().orElseThrow(() -> new AssertionError(node + " not pruned"));
  }

  private static PruningOptions only(double sparsity, String... nodes) {
    return PruningOptions.of(sparsity).withPattern(PruningOptions.Pattern.CHANNELS).withInclude(Set.of(nodes));
  }

  // ---- tests ----

  @Test
  void convBatchNormReluConvShrinksAndMatchesTheZeroedReference() {
    Graph g = new Graph("cbrc");
    Value x = input(g, 2, 3, 6, 6);
    Value a = conv(g, "c1", x, 8, 3, 3, 1);
    Value bn = node(g, "BatchNormalization", "bn", List.of(a, g.addInitializer("s", randn(8)), g.addInitializer("b", randn(8)),
        g.addInitializer("mean", randn(8)), g.addInitializer("var", Tensor.ofFloats(new long[] {8}, 1, 2, 3, 4, 5, 6, 7, 8))));
    // a per-channel scale and a scalar shift on the way: the first is sliced, the second stays
    Value scaled = node(g, "Mul", "scale", List.of(bn, g.addInitializer("k", randn(1, 8, 1, 1))));
    Value shifted = node(g, "Add", "shift", List.of(scaled, g.addInitializer("t", Tensor.ofFloats(new long[] {1}, 0.5f))));
    Value r = node(g, "Relu", "relu", List.of(shifted));
    Value y = conv(g, "c2", r, 5, 8, 3, 1);
    g.addOutput(y);
    // declared intermediate shapes must follow the new channel count
    Value declared = g.value("relu_out");
    declared.setType(Type.tensor(DType.FLOAT, 2, 8, 6, 6));
    g.addValueInfo(declared);
    Model m = model(g);

    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "c1"), ChannelPruner.Norm.L1);
    ChannelPruner.LayerChannels c1 = layer(res, "c1");
    assertEquals(8, c1.before());
    assertEquals(4, c1.after());
    Set<Integer> gone = smallest(g.value("c1_w").initializer(), 4, false);
    for (int c = 0; c < 8; c++) {
      assertEquals(!gone.contains(c), !removed(c1.kept()).test(c), "channel " + c);
    }
    Graph p = res.model().graph();
    assertArrayEquals(new long[] {4, 3, 3, 3}, p.value("c1_w").initializer().dims());
    assertArrayEquals(new long[] {4}, p.value("c1_b").initializer().dims());
    assertArrayEquals(new long[] {4}, p.value("var").initializer().dims());
    assertArrayEquals(new long[] {1, 4, 1, 1}, p.value("k").initializer().dims());
    assertArrayEquals(new long[] {1}, p.value("t").initializer().dims());
    assertArrayEquals(new long[] {5, 4, 3, 3}, p.value("c2_w").initializer().dims());
    assertEquals(4, p.value("relu_out").tensorType().shape().dim(1).value());
    assertEquals(List.of(), dev.whittle.runtime.ShapeInference.infer(res.model().copy()).conflicts(), "declared vs inferred shapes");
    assertEquals(List.of("c2_out"), res.consumers());
    assertTrue(res.parametersAfter() < res.parametersBefore());
    ModelChecker.requireValid(res.model());

    Model reference = zeroRows(m, Map.of("c2_w", 1), Map.of("c2_w", removed(c1.kept())));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void convReluPoolReshapeGemmDropsEachChannelsBlockOfRows() {
    Graph g = new Graph("head");
    Value x = input(g, 1, 2, 8, 8);
    Value a = node(g, "Relu", "relu", List.of(conv(g, "c1", x, 6, 2, 3, 1)));
    Value pooled = node(g, "MaxPool", "pool", List.of(a), Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInts("strides", 2, 2));
    Value flat = node(g, "Reshape", "flat", List.of(pooled, g.addInitializer("shape", Tensor.ofLongs(new long[] {2}, 1, 96))));
    Node gemm = g.addNode(new Node("Gemm", "", "fc"));
    gemm.addInput(flat);
    gemm.addInput(g.addInitializer("fc_w", randn(4, 96)));
    gemm.addInput(g.addInitializer("fc_b", randn(4)));
    gemm.setAttribute(Attribute.of("transB", 1L));
    Value y = g.newValue("y");
    gemm.addOutput(y);
    g.addOutput(y);
    Model m = model(g);

    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "c1"), ChannelPruner.Norm.L2);
    int[] kept = layer(res, "c1").kept();
    assertEquals(3, kept.length);
    assertEquals(smallest(g.value("c1_w").initializer(), 3, true), Set.copyOf(Arrays.stream(removedList(kept, 6)).boxed().toList()));
    assertArrayEquals(new long[] {1, 48}, res.model().graph().value("shape").initializer().toLongArray());
    assertArrayEquals(new long[] {4, 48}, res.model().graph().value("fc_w").initializer().dims());
    // rows of fc_w (axis 1: transB) for channel c are c·16 … c·16 + 15
    Model reference = zeroRows(m, Map.of("fc_w", 1), Map.of("fc_w", pos -> removed(kept).test(pos / 16)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  private static int[] removedList(int[] kept, int n) {
    return java.util.stream.IntStream.range(0, n).filter(removed(kept)).toArray();
  }

  @Test
  void flattenIntoMatMulWithBiasAdd() {
    Graph g = new Graph("flat");
    Value x = input(g, 1, 2, 4, 4);
    Value a = node(g, "Relu", "relu", List.of(conv(g, "c1", x, 4, 2, 3, 1)));
    Value gap = node(g, "AveragePool", "pool", List.of(a), Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInts("strides", 2, 2));
    Value flat = node(g, "Flatten", "flat", List.of(gap), Attribute.of("axis", 1L));
    Value mm = node(g, "MatMul", "mm", List.of(flat, g.addInitializer("mm_w", randn(16, 3))));
    Value y = node(g, "Add", "bias", List.of(mm, g.addInitializer("mm_b", randn(3))));
    g.addOutput(y);
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.25, "c1"), ChannelPruner.Norm.L1);
    int[] kept = layer(res, "c1").kept();
    assertEquals(3, kept.length);
    assertArrayEquals(new long[] {12, 3}, res.model().graph().value("mm_w").initializer().dims());
    Model reference = zeroRows(m, Map.of("mm_w", 0), Map.of("mm_w", pos -> removed(kept).test(pos / 4)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void matMulAndGemmLayersOfAnMlp() {
    Graph g = new Graph("mlp");
    Value x = input(g, 2, 8);
    Value h = node(g, "Add", "b1", List.of(node(g, "MatMul", "mm1", List.of(x, g.addInitializer("w1", randn(8, 16)))),
        g.addInitializer("c1", randn(16))));
    Value r = node(g, "Relu", "r1", List.of(h));
    Node gemm = g.addNode(new Node("Gemm", "", "fc2"));
    gemm.addInput(r);
    gemm.addInput(g.addInitializer("w2", randn(12, 16)));
    gemm.addInput(g.addInitializer("c2", randn(12)));
    gemm.setAttribute(Attribute.of("transB", 1L));
    Value z = g.newValue("z");
    gemm.addOutput(z);
    Value y = node(g, "MatMul", "mm3", List.of(node(g, "Relu", "r2", List.of(z)), g.addInitializer("w3", randn(12, 3))));
    g.addOutput(y);
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "mm1", "fc2"), ChannelPruner.Norm.L1);
    int[] k1 = layer(res, "mm1").kept();
    int[] k2 = layer(res, "fc2").kept();
    assertEquals(8, k1.length);
    assertEquals(6, k2.length);
    Graph p = res.model().graph();
    assertArrayEquals(new long[] {8, 8}, p.value("w1").initializer().dims());
    assertArrayEquals(new long[] {8}, p.value("c1").initializer().dims());
    assertArrayEquals(new long[] {6, 8}, p.value("w2").initializer().dims());
    assertArrayEquals(new long[] {6}, p.value("c2").initializer().dims());
    assertArrayEquals(new long[] {6, 3}, p.value("w3").initializer().dims());
    Model reference = zeroRows(m, Map.of("w2", 1, "w3", 0), Map.of("w2", removed(k1), "w3", removed(k2)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void residualAddPrunesBothLayersAsOneGroup() {
    Graph g = new Graph("res");
    Value x = input(g, 1, 3, 5, 5);
    Value a = node(g, "Relu", "ra", List.of(conv(g, "ca", x, 8, 3, 3, 1)));
    Value b = conv(g, "cb", a, 8, 8, 3, 1);
    Value s = node(g, "Add", "add", List.of(a, b));
    Value y = conv(g, "cc", node(g, "Relu", "rs", List.of(s)), 4, 8, 1, 1);
    g.addOutput(y);
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "ca", "cb"), ChannelPruner.Norm.L1);
    int[] ka = layer(res, "ca").kept();
    assertArrayEquals(ka, layer(res, "cb").kept(), "one group: the same channels go from both layers");
    assertEquals(4, ka.length);
    // the joint score: L1 of both layers' channel weights together
    float[] wa = g.value("ca_w").initializer().toFloatArray();
    float[] wb = g.value("cb_w").initializer().toFloatArray();
    double[] joint = new double[8];
    for (int c = 0; c < 8; c++) {
      for (int i = 0; i < 27; i++) {
        joint[c] += Math.abs(wa[c * 27 + i]);
      }
      for (int i = 0; i < 72; i++) {
        joint[c] += Math.abs(wb[c * 72 + i]);
      }
    }
    double keptMin = Arrays.stream(ka).mapToDouble(c -> joint[c]).min().orElseThrow();
    for (int c : removedList(ka, 8)) {
      assertTrue(joint[c] <= keptMin, "channel " + c);
    }
    assertArrayEquals(new long[] {4, 4, 3, 3}, res.model().graph().value("cb_w").initializer().dims());
    assertEquals(Set.of("cb_out", "cc_out"), Set.copyOf(res.consumers()));
    Model reference = zeroRows(m, Map.of("cb_w", 1, "cc_w", 1), Map.of("cb_w", removed(ka), "cc_w", removed(ka)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void squeezeExcitationGateAndSwishJoinTheGroup() {
    Graph g = new Graph("se");
    Value x = input(g, 1, 3, 6, 6);
    Value a = conv(g, "ca", x, 8, 3, 3, 1);
    // swish: a·sigmoid(a), then a squeeze-and-excitation gate whose expand conv ce must lose the same channels
    Value swish = node(g, "Mul", "swish", List.of(a, node(g, "Sigmoid", "sa", List.of(a))));
    Value squeezed = node(g, "Relu", "rs", List.of(conv(g, "cs", node(g, "GlobalAveragePool", "gap", List.of(swish)), 2, 8, 1, 1)));
    Value gate = node(g, "Sigmoid", "sg", List.of(conv(g, "ce", squeezed, 8, 2, 1, 1)));
    Value gated = node(g, "Mul", "gated", List.of(swish, gate));
    g.addOutput(conv(g, "cc", gated, 3, 8, 3, 1));
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "ca", "ce"), ChannelPruner.Norm.L2);
    int[] ka = layer(res, "ca").kept();
    assertArrayEquals(ka, layer(res, "ce").kept());
    assertEquals(4, ka.length);
    assertArrayEquals(new long[] {4, 2, 1, 1}, res.model().graph().value("ce_w").initializer().dims());
    assertArrayEquals(new long[] {2, 4, 1, 1}, res.model().graph().value("cs_w").initializer().dims());
    Model reference = zeroRows(m, Map.of("cs_w", 1, "cc_w", 1), Map.of("cs_w", removed(ka), "cc_w", removed(ka)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
    // without the expand conv among the selected layers the gate cannot shrink: ca is left alone, with the reason
    WhittleException e = assertThrows(WhittleException.class, () -> ChannelPruner.prune(m, only(0.5, "ca"), ChannelPruner.Norm.L2));
    assertTrue(e.getMessage().contains("'ce' (Conv), which the options leave alone"), e.getMessage());
  }

  @Test
  void residualAddWithAGraphInputIsRefusedWithItsReason() {
    Graph g = new Graph("skip");
    Value x = input(g, 1, 4, 5, 5);
    Value a = conv(g, "ca", x, 4, 4, 3, 1);
    Value s = node(g, "Add", "add", List.of(a, x));
    g.addOutput(conv(g, "cb", s, 2, 4, 1, 1));
    WhittleException e = assertThrows(WhittleException.class,
        () -> ChannelPruner.prune(model(g), only(0.5, "ca"), ChannelPruner.Norm.L1));
    assertTrue(e.getMessage().contains("no layer's output channels can be removed"), e.getMessage());
    assertTrue(e.getMessage().contains("'add' (Add) is a residual Add joining the channels with the graph input 'x'"), e.getMessage());
  }

  @Test
  void concatKeepsEachInputsOffset() {
    Graph g = new Graph("cat");
    Value x = input(g, 1, 2, 5, 5);
    Value a = node(g, "Relu", "ra", List.of(conv(g, "ca", x, 4, 2, 3, 1)));
    Value b = conv(g, "cb", x, 6, 2, 3, 1);
    Value cat = node(g, "Concat", "cat", List.of(a, b), Attribute.of("axis", 1L));
    g.addOutput(conv(g, "cc", cat, 3, 10, 3, 1));
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "ca", "cb"), ChannelPruner.Norm.L1);
    int[] ka = layer(res, "ca").kept();
    int[] kb = layer(res, "cb").kept();
    assertEquals(2, ka.length);
    assertEquals(3, kb.length);
    assertArrayEquals(new long[] {3, 5, 3, 3}, res.model().graph().value("cc_w").initializer().dims());
    IntPredicate gone = pos -> pos < 4 ? removed(ka).test(pos) : removed(kb).test(pos - 4);
    Model reference = zeroRows(m, Map.of("cc_w", 1), Map.of("cc_w", gone));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void depthwiseConvShrinksWithTheChannelsItReads() {
    Graph g = new Graph("dw");
    Value x = input(g, 1, 3, 6, 6);
    Value a = conv(g, "ca", x, 4, 3, 3, 1);
    Value d = node(g, "Relu", "rd", List.of(conv(g, "dw", a, 8, 1, 3, 4)));
    g.addOutput(conv(g, "cc", d, 2, 8, 1, 1));
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "ca"), ChannelPruner.Norm.L1);
    int[] ka = layer(res, "ca").kept();
    Graph p = res.model().graph();
    assertEquals(2, p.nodes().stream().filter(n -> n.name().equals("dw")).findFirst().orElseThrow().intAttr("group", 0));
    assertArrayEquals(new long[] {4, 1, 3, 3}, p.value("dw_w").initializer().dims());
    assertArrayEquals(new long[] {2, 4, 1, 1}, p.value("cc_w").initializer().dims());
    // depthwise output o reads input channel o / 2
    Model reference = zeroRows(m, Map.of("cc_w", 1), Map.of("cc_w", o -> removed(ka).test(o / 2)));
    Map<String, Tensor> in = sample(m);
    assertClose(run(reference, in), run(res.model(), in));
  }

  @Test
  void globalScopeRemovesTheTotalAndEveryLayerKeepsAChannel() {
    Graph g = new Graph("glob");
    Value x = input(g, 1, 2, 4, 4);
    Value a = node(g, "Relu", "r1", List.of(conv(g, "c1", x, 6, 2, 3, 1)));
    Value b = node(g, "Relu", "r2", List.of(conv(g, "c2", a, 10, 6, 3, 1)));
    g.addOutput(conv(g, "c3", b, 2, 10, 3, 1));
    Model m = model(g);
    PruningOptions o = PruningOptions.of(0.5).withPattern(PruningOptions.Pattern.CHANNELS).withSkipFirstAndLast(false)
        .withScope(PruningOptions.Scope.GLOBAL);
    ChannelPruner.Result res = ChannelPruner.prune(m, o, ChannelPruner.Norm.L2);
    assertEquals(16, res.channelsBefore());
    assertEquals(8, res.channelsAfter());
    assertEquals(1, res.skipped().size());
    assertTrue(res.skipped().getFirst().reason().contains("reach the graph output 'c3_out'"), res.skipped().getFirst().reason());
    ChannelPruner.Result almostAll = ChannelPruner.prune(m, o.withSparsity(0.99), ChannelPruner.Norm.L1);
    assertEquals(1, layer(almostAll, "c1").after());
    assertEquals(1, layer(almostAll, "c2").after());
    Map<String, Tensor> in = sample(m);
    assertEquals(2, run(almostAll.model(), in).length / 16);
    // a layer with a target of its own is ranked alone: c1 loses a third of its 6, c2 alone meets 0.5 of its 10
    ChannelPruner.Result own = ChannelPruner.prune(m, o.withLayerSparsity(Map.of("c1", 1.0 / 3)), ChannelPruner.Norm.L2);
    assertEquals(4, layer(own, "c1").after());
    assertEquals(5, layer(own, "c2").after());
    ChannelPruner.Result perLayer = ChannelPruner.prune(m, o.withScope(PruningOptions.Scope.LAYER)
        .withLayerSparsity(Map.of("c2", 0.8)), ChannelPruner.Norm.L1);
    assertEquals(3, layer(perLayer, "c1").after());
    assertEquals(2, layer(perLayer, "c2").after());
  }

  @Test
  void badSparsityAndUnknownOpsAreClearErrors() {
    assertThrows(WhittleException.class, () -> PruningOptions.of(1.0));
    assertThrows(WhittleException.class, () -> PruningOptions.of(-0.1));
    Graph g = new Graph("shape");
    Value x = input(g, 1, 2, 4, 4);
    Value a = conv(g, "ca", x, 4, 2, 3, 1);
    node(g, "Shape", "sh", List.of(a));
    g.addOutput(conv(g, "cb", a, 2, 4, 3, 1));
    WhittleException e = assertThrows(WhittleException.class,
        () -> ChannelPruner.prune(model(g), only(0.5, "ca"), ChannelPruner.Norm.L1));
    assertTrue(e.getMessage().contains("'sh' (Shape) reads the channels and is not understood"), e.getMessage());
    WhittleException activation = assertThrows(WhittleException.class, () -> ChannelPruner.prune(model(g),
        only(0.5, "ca").withCriterion(PruningOptions.Criterion.ACTIVATION), ChannelPruner.Norm.L1));
    assertTrue(activation.getMessage().contains("criterion magnitude"), activation.getMessage());
  }

  @Test
  void thePassPrunesOnceAndReachesAFixedPoint() {
    Graph g = new Graph("pass");
    Value x = input(g, 1, 2, 4, 4);
    Value a = node(g, "Relu", "r1", List.of(conv(g, "c1", x, 4, 2, 3, 1)));
    Value b = node(g, "Relu", "r2", List.of(conv(g, "c2", a, 8, 4, 3, 1)));
    Value c = node(g, "Relu", "r3", List.of(conv(g, "c3", b, 6, 8, 3, 1)));
    g.addOutput(conv(g, "c4", c, 2, 6, 3, 1));
    Optimizer.Result r = Optimizer.run(model(g), List.of("prune-channels"),
        Optimizer.Settings.defaults().withPassOptions(Map.of("prune-channels", Map.of("per-mille", "500", "norm", "l2"))));
    assertEquals(4 + 3, r.total("prune-channels", "channels-removed"), "c2 and c3 lose half; c1 and c4 are first and last");
    assertEquals(2, r.report().size(), "the second round changes nothing");
    assertNotNull(r.model().metadataProps().get(PruneChannels.MARK));
    assertArrayEquals(new long[] {3, 4, 3, 3}, r.model().graph().value("c3_w").initializer().dims());
  }

  @Test
  void retrainingRefitsTheConsumersTowardTheOriginalOutputs() {
    Graph g = new Graph("refit");
    Value x = input(g, 1, 3, 6, 6);
    Value a = node(g, "Relu", "r1", List.of(conv(g, "c1", x, 8, 3, 3, 1)));
    Value y = conv(g, "c2", a, 4, 8, 3, 1);
    g.addOutput(y);
    Model m = model(g);
    ChannelPruner.Result res = ChannelPruner.prune(m, only(0.5, "c1"), ChannelPruner.Norm.L1);
    List<Map<String, Tensor>> calibration = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calibration.add(sample(m));
    }
    ChannelPruner.Result refit = ChannelPruner.retrain(res, new ChannelLeastSquaresHook(m, res), calibration);
    assertArrayEquals(new long[] {4, 4, 3, 3}, refit.model().graph().value("c2_w").initializer().dims());
    double plain = 0;
    double fitted = 0;
    for (int i = 0; i < 10; i++) {
      Map<String, Tensor> in = sample(m);
      plain += sq(run(m, in), run(res.model(), in));
      fitted += sq(run(m, in), run(refit.model(), in));
    }
    System.out.printf("synthetic refit: squared error vs original %.1f without, %.1f with least squares%n", plain, fitted);
    assertTrue(fitted < 0.8 * plain, fitted + " vs " + plain);
  }

  private static double sq(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s;
  }
}
