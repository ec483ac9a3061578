package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The distillation hook on small models built in memory, judged by Whittle's runtime. */
class DistillationHookTest {
  private static final DistillationOptions FAST = DistillationOptions.defaults().withEpochs(30).withBatchSize(8).withLearningRate(0.03);

  private static List<Map<String, Tensor>> samples(String input, long[] dims, int n) {
    Random r = new Random(9);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[(int) Tensor.elementCount(dims)];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      out.add(Map.of(input, Tensor.ofFloats(dims, v)));
    }
    return out;
  }

  /**
   * Mean over samples of the squared distance between the two models' first outputs, in Whittle's
   * runtime; with {@code classes} > 0, each row of that many logits is centred first (softmax, and
   * so the soft-target loss, ignores a shift of a row).
   */
  private static double distance(Model a, Model b, List<Map<String, Tensor>> inputs, int classes) {
    double sum = 0;
    try (Session sa = Session.open(a); Session sb = Session.open(b)) {
      for (Map<String, Tensor> in : inputs) {
        float[] ya = sa.run(in).values().iterator().next().toFloatArray();
        float[] yb = sb.run(in).values().iterator().next().toFloatArray();
        int row = classes > 0 ? classes : ya.length;
        for (int r = 0; r < ya.length; r += row) {
          double shift = 0;
          for (int i = r; classes > 0 && i < r + row; i++) {
            shift += (ya[i] - yb[i]) / (double) row;
          }
          for (int i = r; i < r + row; i++) {
            sum += (ya[i] - yb[i] - shift) * (ya[i] - yb[i] - shift);
          }
        }
      }
    }
    return sum / inputs.size();
  }

  private static Model with(Model m, Map<String, Tensor> weights) {
    Model out = m.copy();
    Pruner.applyUpdates(out, weights);
    return out;
  }

  @Test
  void masksStayEnforcedShapesAreKeptAndTheStudentMovesTowardTheTeacher() {
    Model original = MagnitudePrunerTest.mlp();
    List<Map<String, Tensor>> calibration = samples("x", new long[] {2, 8}, 32);
    PruningOptions o = PruningOptions.of(0.7).withSkipFirstAndLast(false);
    Pruner.Result plain = Pruner.prune(original, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Map<String, Tensor> updated = new DistillationHook(original, FAST).retrain(plain.model(), plain.masks(), 1, calibration);
    assertEquals(List.of("W1", "W2", "W3"), List.copyOf(updated.keySet()), "every layer's weight, pruned or not");
    for (Map.Entry<String, Tensor> e : updated.entrySet()) {
      Tensor before = original.graph().value(e.getKey()).initializer();
      assertArrayEquals(before.dims(), e.getValue().dims(), e.getKey());
      assertEquals(DType.FLOAT, e.getValue().dtype());
      float[] w = e.getValue().toFloatArray();
      boolean[] keep = plain.masks().get(e.getKey());
      for (int i = 0; i < w.length; i++) {
        if (!keep[i]) {
          assertEquals(0f, w[i], e.getKey() + "[" + i + "] is pruned");
        }
      }
    }
    List<Map<String, Tensor>> heldOut = samples("x", new long[] {2, 8}, 64).subList(32, 64);
    double pruned = distance(original, plain.model(), heldOut, 3);
    double distilled = distance(original, with(plain.model(), updated), heldOut, 3);
    assertTrue(distilled < 0.5 * pruned, "held-out centred distance to the original's logits: pruned " + pruned + ", distilled " + distilled);
  }

  @Test
  void theSameInputsGiveTheSameWeights() {
    Model original = MagnitudePrunerTest.mlp();
    List<Map<String, Tensor>> calibration = samples("x", new long[] {2, 8}, 20);
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false);
    Pruner.Result a = Pruner.prune(original, o, Schedule.gradual(2), new DistillationHook(original, FAST.withEpochs(3)), calibration);
    Pruner.Result b = Pruner.prune(original, o, Schedule.gradual(2), new DistillationHook(original, FAST.withEpochs(3)), calibration);
    for (String w : List.of("W1", "W2", "W3")) {
      assertArrayEquals(a.model().graph().value(w).initializer().toFloatArray(), b.model().graph().value(w).initializer().toFloatArray(), w);
    }
  }

  /** x[1,2,8] → MatMul W1[8,6] → Add b1 → Tanh → MatMul W2[6,3]: a rank-3 output, distilled by mean squared error. */
  private static Model regression() {
    Random r = new Random(4);
    Graph g = new Graph("regression");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 1, 2, 8));
    g.addInput(x);
    // weights of scale 0.3 keep Tanh out of saturation
    Value h = node(g, "MatMul", x, g.addInitializer("W1", gaussian(r, 8, 6)));
    h = node(g, "Add", h, g.addInitializer("b1", gaussian(r, 6)));
    h = node(g, "Tanh", h, null);
    g.addOutput(node(g, "MatMul", h, g.addInitializer("W2", gaussian(r, 6, 3))));
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static Value node(Graph g, String op, Value a, Value b) {
    Node n = g.addNode(new Node(op, "", op + g.nodeCount()));
    n.addInput(a);
    if (b != null) {
      n.addInput(b);
    }
    Value out = g.newValue(n.name() + "_out");
    n.addOutput(out);
    return out;
  }

  private static Tensor gaussian(Random r, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.3f;
    }
    return Tensor.ofFloats(dims, v);
  }

  @Test
  void otherOutputsAreDistilledByMeanSquaredErrorAndBiasesTrainToo() {
    Model original = regression();
    List<Map<String, Tensor>> calibration = samples("x", new long[] {1, 2, 8}, 32);
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false);
    Pruner.Result plain = Pruner.prune(original, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Map<String, Tensor> updated = new DistillationHook(original, FAST).retrain(plain.model(), plain.masks(), 1, calibration);
    assertEquals(List.of("W1", "b1", "W2"), List.copyOf(updated.keySet()), "the Add right after a MatMul is its bias");
    List<Map<String, Tensor>> heldOut = samples("x", new long[] {1, 2, 8}, 64).subList(32, 64);
    double pruned = distance(original, plain.model(), heldOut, 0);
    double distilled = distance(original, with(plain.model(), updated), heldOut, 0);
    assertTrue(distilled < 0.5 * pruned, "held-out squared distance to the original: pruned " + pruned + ", distilled " + distilled);
  }

  /**
   * ids int64[1,4] → Gather from a table[10,8] → Add positions[4,8] (a prefix no trained weight
   * reaches, with an op the engine does not run) → MatMul W1[8,6] → Add b1 → Erf → MatMul W2[6,3].
   */
  private static Model embedding() {
    Random r = new Random(6);
    Graph g = new Graph("embedding");
    Value ids = g.newValue("ids", Type.tensor(DType.INT64, 1, 4));
    g.addInput(ids);
    Node gather = g.addNode(new Node("Gather", "", "lookup"));
    gather.addInput(g.addInitializer("table", gaussian(r, 10, 8)));
    gather.addInput(ids);
    Value e = g.newValue("embedded");
    gather.addOutput(e);
    Value h = node(g, "Add", e, g.addInitializer("positions", gaussian(r, 4, 8)));
    h = node(g, "MatMul", h, g.addInitializer("W1", gaussian(r, 8, 6)));
    h = node(g, "Add", h, g.addInitializer("b1", gaussian(r, 6)));
    h = node(g, "Erf", h, null);
    g.addOutput(node(g, "MatMul", h, g.addInitializer("W2", gaussian(r, 6, 3))));
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static List<Map<String, Tensor>> ids(int n, int seed) {
    Random r = new Random(seed);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of("ids", Tensor.ofLongs(new long[] {1, 4}, r.nextInt(10), r.nextInt(10), r.nextInt(10), r.nextInt(10))));
    }
    return out;
  }

  @Test
  void aPrefixNoTrainedWeightReachesIsComputedByTheRuntime() {
    Model original = embedding();
    List<Map<String, Tensor>> calibration = ids(48, 1);
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false);
    Pruner.Result plain = Pruner.prune(original, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Map<String, Tensor> updated = new DistillationHook(original, FAST).retrain(plain.model(), plain.masks(), 1, calibration);
    assertEquals(List.of("W1", "b1", "W2"), List.copyOf(updated.keySet()), "the table and positions are not trained");
    List<Map<String, Tensor>> heldOut = ids(32, 2);
    double pruned = distance(original, plain.model(), heldOut, 0);
    double distilled = distance(original, with(plain.model(), updated), heldOut, 0);
    assertTrue(distilled < 0.5 * pruned, "held-out squared distance to the original: pruned " + pruned + ", distilled " + distilled);
  }

  /**
   * x[1,2,8] → MatMul W1[8,6] → Tanh → Mul by a scalar → Mul γ[6] → Add β[1,6] → Add table[2,6] →
   * MatMul W2[6,3]: γ and β are per-channel and train; the scalar and the table do not.
   */
  @Test
  void perChannelScalesAndShiftsTrainButScalarsAndTablesDoNot() {
    Random r = new Random(8);
    Graph g = new Graph("affine");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 1, 2, 8));
    g.addInput(x);
    Value h = node(g, "MatMul", x, g.addInitializer("W1", gaussian(r, 8, 6)));
    h = node(g, "Tanh", h, null);
    h = node(g, "Mul", h, g.addInitializer("scalar", gaussian(r, 1)));
    h = node(g, "Mul", g.addInitializer("gamma", gaussian(r, 6)), h);
    h = node(g, "Add", h, g.addInitializer("beta", gaussian(r, 1, 6)));
    h = node(g, "Add", h, g.addInitializer("table", gaussian(r, 2, 6)));
    g.addOutput(node(g, "MatMul", h, g.addInitializer("W2", gaussian(r, 6, 3))));
    Model original = new Model(g);
    original.setIrVersion(8);
    original.opsetImports().put("", 17L);
    List<Map<String, Tensor>> calibration = samples("x", new long[] {1, 2, 8}, 64).subList(0, 32);
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false);
    Pruner.Result plain = Pruner.prune(original, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Map<String, Tensor> updated = new DistillationHook(original, FAST).retrain(plain.model(), plain.masks(), 1, calibration);
    assertEquals(List.of("W1", "gamma", "beta", "W2"), List.copyOf(updated.keySet()));
    float[] gamma = original.graph().value("gamma").initializer().toFloatArray();
    assertTrue(!java.util.Arrays.equals(gamma, updated.get("gamma").toFloatArray()), "gamma was trained");
    List<Map<String, Tensor>> heldOut = samples("x", new long[] {1, 2, 8}, 64).subList(32, 64);
    double pruned = distance(original, plain.model(), heldOut, 0);
    double distilled = distance(original, with(plain.model(), updated), heldOut, 0);
    assertTrue(distilled < 0.5 * pruned, "held-out squared distance to the original: pruned " + pruned + ", distilled " + distilled);
  }

  @Test
  void aFinalSoftmaxIsDistilledOnTheLogitsFeedingIt() {
    Model m = MagnitudePrunerTest.mlp();
    Node softmax = m.graph().addNode(new Node("Softmax", "", "probabilities"));
    Value logits = m.graph().outputs().getFirst();
    softmax.addInput(logits);
    Value p = m.graph().newValue("p", Type.tensor(DType.FLOAT, 2, 3));
    softmax.addOutput(p);
    m.graph().setOutput(0, p);
    assertEquals(logits.name(), DistillationHook.target(m));
  }

  @Test
  void anOpItCannotTrainThroughIsRefusedBeforeTraining() {
    Model m = MagnitudePrunerTest.mlp();
    Node relu = m.graph().nodes().stream().filter(n -> n.is("Relu")).findFirst().orElseThrow();
    Node erf = new Node("Cos", "", "cos");
    m.graph().insertBefore(relu, erf);
    erf.addInput(relu.input(0));
    Value e = m.graph().newValue("cos_out");
    erf.addOutput(e);
    relu.setInput(0, e);
    WhittleException ex = assertThrows(WhittleException.class, () -> new DistillationHook(m));
    assertTrue(ex.getMessage().contains("'cos' (Cos)") && ex.getMessage().contains("Relu, LeakyRelu"), ex.getMessage());
  }
}
