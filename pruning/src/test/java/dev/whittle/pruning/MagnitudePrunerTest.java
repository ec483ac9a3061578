package dev.whittle.pruning;

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
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Masks, patterns, scopes, schedules and hook checks on a small MLP built in memory. */
class MagnitudePrunerTest {
  /** x[2,8] · W1[8,16] → Relu → Gemm(W2 [4,16], transB=1) → MatMul(W3 [4,3]). */
  static Model mlp() {
    Random r = new Random(3);
    Graph g = new Graph("mlp");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 2, 8));
    g.addInput(x);
    Value h = op(g, "MatMul", "mm", x, g.addInitializer("W1", random(r, 8, 16)));
    Value a = op(g, "Relu", "relu", h);
    Node gemm = g.addNode(new Node("Gemm", "", "gemm"));
    gemm.addInput(a);
    gemm.addInput(g.addInitializer("W2", random(r, 4, 16)));
    gemm.setAttribute(Attribute.of("transB", 1L));
    Value y = g.newValue("y");
    gemm.addOutput(y);
    Value z = op(g, "MatMul", "out", y, g.addInitializer("W3", random(r, 4, 3)));
    g.addOutput(z);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static Value op(Graph g, String type, String name, Value a, Value b) {
    Node n = g.addNode(new Node(type, "", name));
    n.addInput(a);
    if (b != null) {
      n.addInput(b);
    }
    Value out = g.newValue(name + "_out");
    n.addOutput(out);
    return out;
  }

  private static Value op(Graph g, String type, String name, Value a) {
    return op(g, type, name, a, null);
  }

  private static Tensor random(Random r, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.ofFloats(dims, v);
  }

  @Test
  void layersAreSeenAsKByN() {
    List<PrunableLayer> layers = PrunableLayer.find(mlp());
    assertEquals(List.of("W1", "W2", "W3"), layers.stream().map(PrunableLayer::name).toList());
    PrunableLayer gemm = layers.get(1);
    assertEquals(16, gemm.k());
    assertEquals(4, gemm.n());
    assertEquals(1 * 16 + 5, gemm.index(5, 1), "transB stores [N,K]");
  }

  @Test
  void perLayerUnstructuredPrunesTheSmallestAndSkipsFirstAndLast() {
    Model m = mlp();
    Map<String, boolean[]> masks = MagnitudePruner.masks(m, PruningOptions.of(0.75), Map.of());
    assertEquals(List.of("W2"), List.copyOf(masks.keySet()));
    boolean[] keep = masks.get("W2");
    assertEquals(0.75, MagnitudePruner.sparsity(keep), 1e-9);
    float[] w = m.graph().value("W2").initializer().toFloatArray();
    float smallestKept = Float.MAX_VALUE;
    float largestPruned = 0;
    for (int i = 0; i < w.length; i++) {
      if (keep[i]) {
        smallestKept = Math.min(smallestKept, Math.abs(w[i]));
      } else {
        largestPruned = Math.max(largestPruned, Math.abs(w[i]));
      }
    }
    assertTrue(largestPruned <= smallestKept);
  }

  @Test
  void twoOfFourKeepsTwoInEveryGroupOfFourInputs() {
    Model m = mlp();
    PruningOptions o = PruningOptions.of(0.5).withPattern(PruningOptions.Pattern.TWO_FOUR).withSkipFirstAndLast(false);
    Map<String, boolean[]> masks = MagnitudePruner.masks(m, o, Map.of());
    for (PrunableLayer l : PrunableLayer.find(m)) {
      boolean[] keep = masks.get(l.name());
      for (int col = 0; col < l.n(); col++) {
        for (int k0 = 0; k0 + 4 <= l.k(); k0 += 4) {
          int kept = 0;
          for (int j = 0; j < 4; j++) {
            kept += keep[l.index(k0 + j, col)] ? 1 : 0;
          }
          assertEquals(2, kept, l.name() + " column " + col + " group " + k0);
        }
      }
    }
  }

  @Test
  void globalScopeMeetsTheTotalAndGradualMasksOnlyShrink() {
    Model m = mlp();
    PruningOptions o = PruningOptions.of(0.6).withScope(PruningOptions.Scope.GLOBAL).withSkipFirstAndLast(false);
    Pruner.Result r = Pruner.prune(m, o, Schedule.gradual(4), (pruned, masks, step, calibration) -> {
      // a hook that would resurrect every weight: the masks must win
      return Map.of("W1", Tensor.ofFloats(new long[] {8, 16}, filled(128, 1f)));
    }, List.of());
    long total = 0;
    long kept = 0;
    for (Pruner.LayerReport l : r.layers()) {
      total += l.weights();
      kept += l.kept();
    }
    assertEquals(0.6, 1 - (double) kept / total, 1e-2);
    float[] w1 = r.model().graph().value("W1").initializer().toFloatArray();
    boolean[] keep = r.masks().get("W1");
    for (int i = 0; i < w1.length; i++) {
      assertEquals(keep[i] ? 1f : 0f, w1[i], "W1[" + i + "]");
    }
  }

  @Test
  void perLayerTargetsOverrideTheSparsityAndFollowTheSchedule() {
    Model m = mlp();
    // W1 is the first layer: its own target selects it; W2 takes the overall 0.5, W3 (last) stays dense
    PruningOptions o = PruningOptions.of(0.5).withLayerSparsity(Map.of("mm", 0.25));
    Map<String, boolean[]> masks = MagnitudePruner.masks(m, o, Map.of());
    assertEquals(List.of("W1", "W2"), List.copyOf(masks.keySet()));
    assertEquals(0.25, MagnitudePruner.sparsity(masks.get("W1")), 1e-9);
    assertEquals(0.5, MagnitudePruner.sparsity(masks.get("W2")), 1e-9);
    // global: W1 ranked alone at its target, one threshold over W2 and W3 meets 0.8 of their total
    PruningOptions g = PruningOptions.of(0.8).withScope(PruningOptions.Scope.GLOBAL).withSkipFirstAndLast(false)
        .withLayerSparsity(Map.of("W1", 0.25));
    Map<String, boolean[]> gm = MagnitudePruner.masks(m, g, Map.of());
    assertEquals(0.25, MagnitudePruner.sparsity(gm.get("W1")), 1e-9);
    int kept = 0;
    for (String w : List.of("W2", "W3")) {
      for (boolean b : gm.get(w)) {
        kept += b ? 1 : 0;
      }
    }
    assertEquals(0.8, 1 - kept / (double) (64 + 12), 0.01);
    // gradual: every target follows the cubic schedule to its own end
    Pruner.Result r = Pruner.prune(m, o, Schedule.gradual(3), RetrainHook.NONE, List.of());
    assertEquals(0.25, MagnitudePruner.sparsity(r.masks().get("W1")), 1e-9);
    PruningOptions mid = o.atStep(Schedule.gradual(3), 1);
    assertEquals(Schedule.gradual(3).sparsityAt(1, 0.25), mid.layerSparsity().get("mm"), 1e-12);
    assertEquals(Schedule.gradual(3).sparsityAt(1, 0.5), mid.sparsity(), 1e-12);
  }

  @Test
  void perLayerTargetsMustNameALayerAndBeAFraction() {
    Model m = mlp();
    WhittleException unknown = assertThrows(WhittleException.class,
        () -> MagnitudePruner.masks(m, PruningOptions.of(0.5).withLayerSparsity(Map.of("nope", 0.3)), Map.of()));
    assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
    assertThrows(WhittleException.class, () -> PruningOptions.of(0.5).withLayerSparsity(Map.of("W2", 1.0)));
    assertThrows(WhittleException.class, () -> MagnitudePruner.masks(m,
        PruningOptions.of(0.5).withPattern(PruningOptions.Pattern.TWO_FOUR).withLayerSparsity(Map.of("W2", 0.3)), Map.of()));
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Test
  void thePassPrunesOnceAndThenFindsNothingToDo() {
    dev.whittle.passes.Optimizer.Result r = dev.whittle.passes.Optimizer.run(mlp(), List.of("prune-magnitude"),
        dev.whittle.passes.Optimizer.Settings.defaults().withPassOptions(Map.of("prune-magnitude", Map.of("per-mille", "750"))));
    assertEquals(48, r.total("prune-magnitude", "pruned-weights"), "75% of W2's 64 weights, nothing in the second round");
    assertEquals(2, r.report().size(), "a second round that changes nothing ends the fixed point");
    float[] w2 = r.model().graph().value("W2").initializer().toFloatArray();
    int zeros = 0;
    for (float v : w2) {
      zeros += v == 0 ? 1 : 0;
    }
    assertEquals(48, zeros);
  }

  @Test
  void activationAwareRankingPrunesWeightsOfSilentInputsFirst() {
    Model m = mlp();
    // inputs 0..3 are always zero: whatever their weights, they contribute nothing
    Random r = new Random(5);
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i % 8 < 4 ? 0f : (float) r.nextGaussian() * 0.01f;
    }
    List<Map<String, Tensor>> calibration = List.of(Map.of("x", Tensor.ofFloats(new long[] {2, 8}, x)));
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false).withInclude(java.util.Set.of("W1"))
        .withCriterion(PruningOptions.Criterion.ACTIVATION);
    Pruner.Result result = Pruner.prune(m, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    boolean[] keep = result.masks().get("W1");
    PrunableLayer w1 = PrunableLayer.find(m).getFirst();
    for (int row = 0; row < 8; row++) {
      for (int col = 0; col < 16; col++) {
        assertEquals(row >= 4, keep[w1.index(row, col)], "row " + row + " col " + col);
      }
    }
    // plain magnitude would keep large weights of the silent rows
    boolean[] byMagnitude = MagnitudePruner.masks(m, o.withCriterion(PruningOptions.Criterion.MAGNITUDE), Map.of()).get("W1");
    boolean keepsSilent = false;
    for (int col = 0; col < 16; col++) {
      keepsSilent |= byMagnitude[w1.index(0, col)];
    }
    assertTrue(keepsSilent);
  }

  @Test
  void cubicScheduleStartsAtTheInitialAndEndsAtTheTarget() {
    Schedule s = Schedule.gradual(4);
    assertEquals(0.8 * (1 - Math.pow(0.75, 3)), s.sparsityAt(1, 0.8), 1e-12);
    assertEquals(0.8, s.sparsityAt(4, 0.8), 1e-12);
    assertTrue(s.sparsityAt(2, 0.8) > s.sparsityAt(1, 0.8));
  }

  @Test
  void aHookReturningTheWrongShapeStopsWithAClearError() {
    WhittleException e = assertThrows(WhittleException.class, () -> Pruner.prune(mlp(), PruningOptions.of(0.5), Schedule.oneShot(),
        (pruned, masks, step, calibration) -> Map.of("W2", Tensor.ofFloats(new long[] {16, 4}, new float[64])), List.of()));
    assertTrue(e.getMessage().contains("retrain hook returned weight 'W2' of the wrong shape"), e.getMessage());
    assertTrue(e.getMessage().contains("float32[4, 16]"), e.getMessage());
  }

  @Test
  void aHookReturningAnUnknownNameStopsWithAClearError() {
    WhittleException e = assertThrows(WhittleException.class, () -> Pruner.prune(mlp(), PruningOptions.of(0.5), Schedule.oneShot(),
        (pruned, masks, step, calibration) -> Map.of("relu_out", Tensor.ofFloats(new long[] {2, 16}, new float[32])), List.of()));
    assertEquals("retrain hook returned 'relu_out', which is not a weight of the model; expected names of initializers", e.getMessage());
  }
}
