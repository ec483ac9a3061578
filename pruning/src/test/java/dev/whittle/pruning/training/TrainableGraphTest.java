package dev.whittle.pruning.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The training engine against Whittle's runtime (itself checked against ONNX Runtime): forward
 * values on mnist-8 and on a chain of every supported op, and every op's backward against central
 * finite differences of the runtime's forward pass, summed in double.
 */
class TrainableGraphTest {
  static Stream<OpCase> ops() {
    return Stream.of(
        OpCase.of("conv", "Conv").random("x", 1, 2, 5, 5).random("w", 3, 2, 3, 3).random("b", 3)
            .attr(Attribute.ofInts("pads", 1, 0, 1, 2)).attr(Attribute.ofInts("strides", 2, 1)).build(),
        OpCase.of("conv-depthwise-same", "Conv").random("x", 1, 3, 6, 6).random("w", 6, 1, 3, 3)
            .attr(Attribute.of("group", 3L)).attr(Attribute.of("auto_pad", "SAME_UPPER")).attr(Attribute.ofInts("strides", 2, 2)).build(),
        OpCase.of("conv-valid-no-bias", "Conv").random("x", 2, 2, 4, 5).random("w", 2, 2, 2, 3)
            .attr(Attribute.of("auto_pad", "VALID")).build(),
        OpCase.of("gemm-transposed", "Gemm").random("a", 5, 3).random("b", 4, 5).random("c", 4)
            .attr(Attribute.of("transA", 1L)).attr(Attribute.of("transB", 1L)).attr(Attribute.of("alpha", 0.7f))
            .attr(Attribute.of("beta", 1.3f)).build(),
        OpCase.of("gemm", "Gemm").random("a", 3, 5).random("b", 5, 4).random("c", 3, 1).build(),
        OpCase.of("matmul", "MatMul").random("a", 2, 3, 4).random("b", 4, 5).build(),
        OpCase.of("add", "Add").random("a", 2, 3, 4).random("b", 3, 1).build(),
        OpCase.of("sub", "Sub").random("a", 2, 3).random("b", 3).build(),
        OpCase.of("mul", "Mul").random("a", 2, 3).random("b", 2, 1).build(),
        OpCase.of("div", "Div").random("a", 2, 3).uniform("b", 0.5, 1.5, 0, 3).build(),
        OpCase.of("relu", "Relu").uniform("x", -1, 1, 0.05, 2, 7).build(),
        OpCase.of("leaky-relu", "LeakyRelu").uniform("x", -1, 1, 0.05, 2, 7).attr(Attribute.of("alpha", 0.2f)).build(),
        OpCase.of("sigmoid", "Sigmoid").uniform("x", -3, 3, 0, 2, 7).build(),
        OpCase.of("tanh", "Tanh").uniform("x", -2, 2, 0, 2, 7).build(),
        OpCase.of("identity", "Identity").random("x", 2, 7).build(),
        OpCase.of("maxpool", "MaxPool").distinct("x", 1, 2, 5, 5).attr(Attribute.ofInts("kernel_shape", 3, 3))
            .attr(Attribute.ofInts("strides", 2, 2)).attr(Attribute.ofInts("pads", 1, 1, 1, 1)).build(),
        OpCase.of("averagepool", "AveragePool").random("x", 1, 2, 5, 5).attr(Attribute.ofInts("kernel_shape", 3, 3))
            .attr(Attribute.ofInts("strides", 2, 2)).attr(Attribute.ofInts("pads", 1, 1, 0, 0)).build(),
        OpCase.of("averagepool-include-pad-ceil", "AveragePool").random("x", 1, 2, 6, 6).attr(Attribute.ofInts("kernel_shape", 3, 3))
            .attr(Attribute.ofInts("strides", 2, 2)).attr(Attribute.ofInts("pads", 1, 1, 1, 1)).attr(Attribute.of("count_include_pad", 1L))
            .attr(Attribute.of("ceil_mode", 1L)).build(),
        OpCase.of("global-averagepool", "GlobalAveragePool").random("x", 2, 3, 3, 2).build(),
        OpCase.of("batchnorm", "BatchNormalization").random("x", 2, 3, 2, 2)
            .constant("scale", Tensor.ofFloats(new long[] {3}, 0.5f, -1.2f, 2f)).constant("bias", Tensor.ofFloats(new long[] {3}, 0.1f, 0f, -0.3f))
            .constant("mean", Tensor.ofFloats(new long[] {3}, 0.2f, -0.1f, 0f)).constant("var", Tensor.ofFloats(new long[] {3}, 1f, 0.25f, 2f))
            .build(),
        OpCase.of("reshape", "Reshape").random("x", 2, 3, 4).constant("shape", Tensor.ofLongs(new long[] {2}, 0, -1)).build(),
        OpCase.of("flatten", "Flatten").random("x", 2, 3, 2, 2).attr(Attribute.of("axis", 2L)).build(),
        OpCase.of("softmax", "Softmax").uniform("x", -2, 2, 0, 2, 3, 4).attr(Attribute.of("axis", 1L)).build(),
        OpCase.of("softmax-opset11", "Softmax").uniform("x", -2, 2, 0, 2, 3, 4).attr(Attribute.of("axis", 1L)).opset(11).build(),
        OpCase.of("matmul-batched", "MatMul").random("a", 2, 3, 4, 5).random("b", 2, 3, 5, 2).build(),
        OpCase.of("matmul-batch-broadcast", "MatMul").random("a", 3, 4, 5).random("b", 2, 1, 5, 3).build(),
        OpCase.of("transpose", "Transpose").random("x", 2, 3, 4).attr(Attribute.ofInts("perm", 2, 0, 1)).build(),
        OpCase.of("transpose-reversed", "Transpose").random("x", 2, 3, 4).build(),
        OpCase.of("reducemean-last", "ReduceMean").random("x", 2, 3, 4).attr(Attribute.ofInts("axes", -1)).opset(11).build(),
        OpCase.of("reducemean-all-dropped", "ReduceMean").random("x", 2, 3, 4).attr(Attribute.of("keepdims", 0L)).opset(13).build(),
        OpCase.of("reducemean-axes-input", "ReduceMean").random("x", 2, 3, 4).constant("axes", Tensor.ofLongs(new long[] {2}, 0, 2))
            .attr(Attribute.of("keepdims", 0L)).opset(18).build(),
        OpCase.of("pow", "Pow").uniform("a", 0.5, 1.5, 0, 2, 3).random("b", 3).build(),
        OpCase.of("pow-square", "Pow").random("a", 2, 3).constant("e", Tensor.ofFloats(new long[] {}, 2f)).build(),
        OpCase.of("sqrt", "Sqrt").uniform("x", 0.5, 2, 0, 2, 7).build(),
        OpCase.of("erf", "Erf").uniform("x", -2, 2, 0, 2, 7).build());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void backwardMatchesFiniteDifferencesOfTheRuntime(OpCase c) {
    TrainableGraph g = TrainableGraph.of(c.forTraining(), "y", c.variables());
    Tape tape = g.newTape();
    float[] y = g.forward(tape, Map.of());
    Random random = new Random(7);
    float[] r = new float[y.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (float) random.nextGaussian();
    }
    g.backward(tape, r);
    double eps = 1e-2;
    try (Session s = Session.open(c.forRuntime())) {
      for (String name : c.variables()) {
        float[] analytic = g.gradient(tape, name);
        Tensor t = c.operands().get(name);
        float[] base = t.toFloatArray();
        for (int i = 0; i < base.length; i++) {
          double plus = weighted(s, c, name, perturbed(t, base, i, eps), r);
          double minus = weighted(s, c, name, perturbed(t, base, i, -eps), r);
          double numeric = (plus - minus) / (2 * eps);
          assertEquals(numeric, analytic[i], 2e-3 + 2e-3 * Math.abs(numeric), c.label() + ": d/d" + name + "[" + i + "]");
        }
      }
    }
  }

  private static Tensor perturbed(Tensor t, float[] base, int i, double eps) {
    float[] v = base.clone();
    v[i] = (float) (v[i] + eps);
    return Tensor.ofFloats(t.dims(), v);
  }

  /** Σ r·y in double, y from the runtime with operand {@code name} replaced. */
  private static double weighted(Session s, OpCase c, String name, Tensor replaced, float[] r) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    for (String v : c.variables()) {
      feeds.put(v, v.equals(name) ? replaced : c.operands().get(v));
    }
    float[] y = s.run(feeds).get("y").toFloatArray();
    assertEquals(r.length, y.length);
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += (double) r[i] * y[i];
    }
    return sum;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void forwardMatchesTheRuntime(OpCase c) {
    TrainableGraph g = TrainableGraph.of(c.forTraining(), "y", List.of());
    Tape tape = g.newTape();
    float[] engine = g.forward(tape, Map.of());
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    c.variables().forEach(v -> feeds.put(v, c.operands().get(v)));
    try (Session s = Session.open(c.forRuntime())) {
      Tensor expected = s.run(feeds).get("y");
      assertArrayEquals(expected.dims(), java.util.Arrays.stream(g.targetDims(tape)).asLongStream().toArray(), c.label());
      assertArrayEquals(expected.toFloatArray(), engine, 1e-5f, c.label());
    }
  }

  /** x[1,3,8,8] through every supported op, ending in a Softmax over 4 classes. */
  static Model chain() {
    Random r = new Random(11);
    Graph g = new Graph("chain");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 1, 3, 8, 8));
    g.addInput(x);
    Value v = node(g, "Conv", List.of(x, init(g, r, "w1", 4, 3, 3, 3), init(g, r, "b1", 4)), Attribute.ofInts("pads", 1, 1, 1, 1));
    v = node(g, "BatchNormalization", List.of(v, init(g, r, "scale", 4), init(g, r, "shift", 4), init(g, r, "mean", 4),
        g.addInitializer("var", Tensor.ofFloats(new long[] {4}, 0.5f, 1f, 2f, 0.3f))));
    v = node(g, "Relu", List.of(v));
    v = node(g, "Conv", List.of(v, init(g, r, "w2", 8, 1, 3, 3)), Attribute.of("group", 4L), Attribute.of("auto_pad", "SAME_UPPER"),
        Attribute.ofInts("strides", 2, 2));
    v = node(g, "LeakyRelu", List.of(v), Attribute.of("alpha", 0.1f));
    v = node(g, "MaxPool", List.of(v), Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInts("pads", 0, 0, 1, 1));
    v = node(g, "AveragePool", List.of(v), Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInts("strides", 1, 1));
    v = node(g, "Sigmoid", List.of(v));
    v = node(g, "Mul", List.of(v, init(g, r, "m", 8, 1, 1)));
    v = node(g, "Sub", List.of(v, init(g, r, "s", 1)));
    v = node(g, "Div", List.of(v, g.addInitializer("d", Tensor.ofFloats(new long[] {1}, 1.7f))));
    v = node(g, "Add", List.of(v, v));
    v = node(g, "Tanh", List.of(v));
    v = node(g, "Erf", List.of(v));
    v = node(g, "Pow", List.of(v, g.addInitializer("two", Tensor.ofFloats(new long[] {}, 2f))));
    v = node(g, "Sqrt", List.of(v));
    Value t = node(g, "Transpose", List.of(v), Attribute.ofInts("perm", 0, 1, 3, 2));
    v = node(g, "MatMul", List.of(v, t));
    v = node(g, "ReduceMean", List.of(v), Attribute.ofInts("axes", 3));
    Value pooled = node(g, "GlobalAveragePool", List.of(v));
    v = node(g, "Flatten", List.of(pooled));
    v = node(g, "Gemm", List.of(v, init(g, r, "w3", 6, 8), init(g, r, "b3", 6)), Attribute.of("transB", 1L));
    v = node(g, "Reshape", List.of(v, g.addInitializer("shape", Tensor.ofLongs(new long[] {2}, 1, -1))));
    v = node(g, "MatMul", List.of(v, init(g, r, "w4", 6, 4)));
    v = node(g, "Identity", List.of(v));
    v = node(g, "Softmax", List.of(v));
    g.addOutput(v);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 13L);
    return m;
  }

  private static Value init(Graph g, Random r, String name, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.5f;
    }
    return g.addInitializer(name, Tensor.ofFloats(dims, v));
  }

  private static Value node(Graph g, String op, List<Value> inputs, Attribute... attributes) {
    Node n = g.addNode(new Node(op, "", op.toLowerCase() + g.nodeCount()));
    inputs.forEach(n::addInput);
    for (Attribute a : attributes) {
      n.setAttribute(a);
    }
    Value out = g.newValue(n.name() + "_out");
    n.addOutput(out);
    return out;
  }

  private static float[] randomInput(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void forwardOfAChainOfEverySupportedOpMatchesTheRuntime() {
    Model m = chain();
    Set<String> used = new java.util.HashSet<>();
    m.graph().nodes().forEach(n -> used.add(n.opType()));
    assertEquals(Set.copyOf(TrainableGraph.SUPPORTED), used, "the chain covers every supported op");
    String out = m.graph().outputs().getFirst().name();
    TrainableGraph g = TrainableGraph.of(m, out, List.of("w1", "b1", "w2", "w3", "b3", "w4"));
    assertEquals(List.of("w1", "b1", "w2", "w3", "b3", "w4"), g.parameters());
    Tape tape = g.newTape();
    try (Session s = Session.open(m)) {
      Random r = new Random(5);
      for (int i = 0; i < 3; i++) {
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {1, 3, 8, 8}, randomInput(r, 192)));
        assertArrayEquals(s.run(in).get(out).toFloatArray(), g.forward(tape, in), 1e-6f);
      }
    }
  }

  @Test
  void forwardOnMnistMatchesTheRuntime() {
    Model m = Optimizer.run(OnnxReader.read(TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx"))).model();
    String out = m.graph().outputs().getFirst().name();
    TrainableGraph g = TrainableGraph.of(m, out, List.of());
    Tape tape = g.newTape();
    byte[] images = OnnxReader.readTensor(TestAssets.shared().resolve("datasets/mnist/images.pb")).toByteArray();
    double worst = 0;
    try (Session s = Session.open(m)) {
      for (int d = 0; d < 20; d++) {
        float[] px = new float[784];
        for (int p = 0; p < 784; p++) {
          px[p] = images[d * 784 + p] & 0xFF;
        }
        Map<String, Tensor> in = Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
        float[] expected = s.run(in).get(out).toFloatArray();
        float[] actual = g.forward(tape, in);
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i])));
        }
      }
    }
    assertTrue(worst < 1e-4, "max relative difference " + worst);
  }

  @Test
  void aPrefixNoParameterReachesIsFedAndTheRestMatchesTheRuntime() {
    Graph g = new Graph("lookup");
    Value ids = g.newValue("ids", Type.tensor(DType.INT64, 2));
    g.addInput(ids);
    Random r = new Random(3);
    Node gather = g.addNode(new Node("Gather", "", "lookup"));
    gather.addInput(init(g, r, "table", 5, 4));
    gather.addInput(ids);
    Value e = g.newValue("embedded");
    gather.addOutput(e);
    Value scaled = node(g, "Mul", List.of(e, init(g, r, "scale", 4)));
    Value y = node(g, "MatMul", List.of(scaled, init(g, r, "w", 4, 3)));
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 13L);
    TrainableGraph tg = TrainableGraph.of(m, y.name(), List.of("w"));
    assertEquals(List.of(scaled.name()), tg.frozenValues(), "the Gather and the Mul reading it are left out");
    Map<String, Tensor> in = Map.of("ids", Tensor.ofLongs(new long[] {2}, 4, 1));
    try (Session s = Session.open(m)) {
      Tensor[] seen = new Tensor[1];
      Map<String, Object> out = s.runValues(in, dev.whittle.runtime.RunOptions.tap(Set.of(scaled.name()), (n, t) -> seen[0] = t));
      float[] expected = ((Tensor) out.get(y.name())).toFloatArray();
      assertArrayEquals(expected, tg.forward(tg.newTape(), Map.of(scaled.name(), seen[0])), 1e-6f);
    }
  }

  @Test
  void unsupportedOpIsRefusedNamingTheNode() {
    Model m = chain();
    Node tanh = m.graph().nodes().stream().filter(n -> n.is("Tanh")).findFirst().orElseThrow();
    Node erf = new Node("Cos", "", "my_cos");
    m.graph().insertBefore(tanh, erf);
    erf.addInput(tanh.input(0));
    Value e = m.graph().newValue("cos_out");
    erf.addOutput(e);
    tanh.setInput(0, e);
    WhittleException ex = assertThrows(WhittleException.class,
        () -> TrainableGraph.of(m, m.graph().outputs().getFirst().name(), List.of("w1")));
    assertTrue(ex.getMessage().contains("'my_cos' (Cos)"), ex.getMessage());
    assertTrue(ex.getMessage().contains("Conv, Gemm, MatMul"), ex.getMessage());
  }
}
