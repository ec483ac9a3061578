package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.check.ModelChecker;
import dev.whittle.runtime.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Structured pruning: whole output channels of Conv/Gemm/MatMul layers go, ranked by the L1 or L2
 * norm of their weights, and the graph physically shrinks. Each selected layer's channels are
 * followed through the graph ({@link ChannelTracer}) to the layers reading them, whose input
 * channels shrink with them; layers joined by residual Adds are pruned as one group with a joint
 * score. A layer whose channels reach something not understood is left alone, with the reason.
 *
 * <p>Sparsity is the fraction of channels removed: per group (layer scope), or over all groups
 * (global scope, each channel's score divided by its group's mean score so that layers of different
 * widths and weight scales compete fairly). Every group keeps at least one channel.
 */
public final class ChannelPruner {
  private ChannelPruner() {}

  /** How a channel's weights are summed up: Σ|w| or √Σw² (over all layers of its group). */
  public enum Norm { L1, L2 }

  /** A pruned layer: node name (or its output's when unnamed), op, weight, output value, channels before, channels kept. */
  public record LayerChannels(String node, String op, String weight, String output, int before, int[] kept) {
    public int after() {
      return kept.length;
    }
  }

  /** A layer left alone, and why (its channels reach something not understood, or the options leave it alone). */
  public record Skipped(String node, String op, String weight, String reason) {}

  /**
   * The pruned model (a copy), its pruned layers, the layers left alone, the output values of the
   * layers whose input channels shrank (what a retrain hook should refit), and the parameter count
   * (elements of all initializers) before and after.
   */
  public record Result(Model model, List<LayerChannels> layers, List<Skipped> skipped, List<String> consumers,
      long parametersBefore, long parametersAfter) {
    public int channelsBefore() {
      return layers.stream().mapToInt(LayerChannels::before).sum();
    }

    public int channelsAfter() {
      return layers.stream().mapToInt(LayerChannels::after).sum();
    }
  }

  /** Prunes a copy of {@code model}. */
  public static Result prune(Model model, PruningOptions options, Norm norm) {
    return pruneInPlace(model.copy(), options, norm, () -> true);
  }

  /**
   * Prunes {@code m} itself; {@code allowRewrite} is asked once per channel group (a pass's rewrite
   * budget). Throws when the options are not for channels or no selected layer can lose channels.
   */
  static Result pruneInPlace(Model m, PruningOptions o, Norm norm, BooleanSupplier allowRewrite) {
    if (o.criterion() != PruningOptions.Criterion.MAGNITUDE) {
      throw WhittleException.builder("channel pruning ranks channels by the norm of their weights")
          .expected("criterion magnitude (norm L1 or L2)").found("criterion " + o.criterion().name().toLowerCase()).build();
    }
    long before = parameters(m);
    List<PrunableLayer> all = PrunableLayer.find(m);
    Map<String, Type.TensorType> shapes = inferredShapes(m);
    ChannelTracer tracer = new ChannelTracer(m.graph(), shapes, all);

    List<ChannelGroup> groups = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    List<Skipped> notSelected = new ArrayList<>();
    Set<Node> selectedNodes = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < all.size(); i++) {
      PrunableLayer l = all.get(i);
      String why = MagnitudePruner.whyNotSelected(all, i, o);
      if (why == null) {
        selectedNodes.add(l.node());
      } else {
        notSelected.add(new Skipped(nameOf(l.node()), l.node().opType(), l.name(), why));
      }
    }
    Set<Node> covered = Collections.newSetFromMap(new IdentityHashMap<>());
    for (PrunableLayer l : MagnitudePruner.selected(m, o)) {
      if (covered.contains(l.node())) {
        continue;
      }
      try {
        ChannelGroup g = tracer.trace(l);
        List<String> outside = g.producers.stream().filter(p -> !selectedNodes.contains(p.node())).map(p -> p.node().label()).toList();
        if (!outside.isEmpty()) {
          throw new ChannelTracer.Refusal("its channels are joined (residual Add, elementwise gate) with those of "
              + String.join(", ", outside) + ", which the options leave alone");
        }
        groups.add(g);
        g.producers.forEach(p -> covered.add(p.node()));
      } catch (ChannelTracer.Refusal r) {
        skipped.add(new Skipped(nameOf(l.node()), l.node().opType(), l.name(), r.getMessage()));
      }
    }
    if (groups.isEmpty()) {
      StringBuilder found = new StringBuilder();
      skipped.addAll(notSelected);
      skipped.forEach(s -> found.append(found.isEmpty() ? "" : "; ").append("'").append(s.node()).append("': ").append(s.reason()));
      throw WhittleException.builder("no layer's output channels can be removed")
          .expected("a selected Conv/Gemm/MatMul whose channels reach only layers that can drop input channels")
          .found(found.isEmpty() ? "no selected layer" : found.toString()).build();
    }

    List<boolean[]> keep = choose(groups, o, norm);
    List<LayerChannels> layers = new ArrayList<>();
    Set<String> consumers = new LinkedHashSet<>();
    for (int i = 0; i < groups.size(); i++) {
      ChannelGroup g = groups.get(i);
      boolean[] kept = keep.get(i);
      boolean removes = indices(kept).length < g.channels;
      if (removes && allowRewrite.getAsBoolean()) {
        // traced again on the graph as earlier groups left it (a Concat input may have shrunk)
        ChannelGroup now = tracer.trace(g.producers.getFirst());
        now.apply(m, kept, shapes);
        now.consumers.forEach(c -> consumers.add(c.output(0).name()));
        for (PrunableLayer p : now.producers) {
          layers.add(new LayerChannels(nameOf(p.node()), p.node().opType(), p.node().input(1).name(), p.node().output(0).name(),
              g.channels, indices(kept)));
        }
      } else {
        for (PrunableLayer p : g.producers) {
          layers.add(new LayerChannels(nameOf(p.node()), p.node().opType(), p.name(), p.node().output(0).name(), g.channels,
              indices(all(g.channels))));
        }
      }
    }
    ModelChecker.requireValid(m);
    skipped.addAll(notSelected);
    return new Result(m, layers, skipped, List.copyOf(consumers), before, parameters(m));
  }

  /**
   * Lets {@code hook} retrain the pruned model (masks: every weight of a pruned or shrunk layer, all
   * kept: nothing is zeroed, the channels are gone) and returns the result with its weights.
   */
  public static Result retrain(Result r, RetrainHook hook, List<Map<String, Tensor>> calibration) {
    Model m = r.model().copy();
    Set<String> touched = new LinkedHashSet<>(r.consumers());
    r.layers().forEach(l -> touched.add(l.output()));
    Map<String, boolean[]> masks = new LinkedHashMap<>();
    for (PrunableLayer l : PrunableLayer.find(m)) {
      if (touched.contains(l.node().output(0).name())) {
        boolean[] k = new boolean[Math.toIntExact(l.weight().initializer().elementCount())];
        Arrays.fill(k, true);
        masks.put(l.name(), k);
      }
    }
    Pruner.applyUpdates(m, hook.retrain(m, masks, 1, calibration));
    return new Result(m, r.layers(), r.skipped(), r.consumers(), r.parametersBefore(), parameters(m));
  }

  /**
   * Which channels each group keeps. A group whose producers have a target of their own (the first
   * such producer's) is ranked alone; under a global scope one ranking covers every other group.
   */
  private static List<boolean[]> choose(List<ChannelGroup> groups, PruningOptions o, Norm norm) {
    List<double[]> scores = groups.stream().map(g -> scores(g, norm)).toList();
    List<boolean[]> keep = new ArrayList<>();
    groups.forEach(g -> keep.add(all(g.channels)));
    List<Integer> shared = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      PrunableLayer own = groups.get(i).producers.stream().filter(o::hasOwnSparsity).findFirst().orElse(null);
      if (o.scope() == PruningOptions.Scope.GLOBAL && own == null) {
        shared.add(i);
        continue;
      }
      double[] s = scores.get(i);
      int remove = (int) Math.min(Math.round((own == null ? o.sparsity() : o.sparsityOf(own)) * s.length), s.length - 1L);
      for (int c : ascending(s, remove)) {
        keep.get(i)[c] = false;
      }
    }
    // global: scores relative to their group's mean, one ranking over every channel
    List<double[]> keys = new ArrayList<>();
    int total = 0;
    for (int i : shared) {
      double[] s = scores.get(i);
      double mean = Arrays.stream(s).average().orElse(0);
      for (int c = 0; c < s.length; c++) {
        keys.add(new double[] {mean == 0 ? 0 : s[c] / mean, i, c});
      }
      total += s.length;
    }
    keys.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : a[1] != b[1] ? Double.compare(a[1], b[1]) : Double.compare(a[2], b[2]));
    long remove = Math.round(o.sparsity() * total);
    int[] left = groups.stream().mapToInt(g -> g.channels).toArray();
    for (double[] k : keys) {
      int g = (int) k[1];
      if (remove > 0 && left[g] > 1) {
        keep.get(g)[(int) k[2]] = false;
        left[g]--;
        remove--;
      }
    }
    return keep;
  }

  /** Per channel of the group: the norm of its weights over all the group's layers. */
  private static double[] scores(ChannelGroup g, Norm norm) {
    double[] s = new double[g.channels];
    for (PrunableLayer l : g.producers) {
      float[] w = l.weight().initializer().toFloatArray();
      for (int c = 0; c < l.n(); c++) {
        for (int row = 0; row < l.k(); row++) {
          double x = w[l.index(row, c)];
          s[c] += norm == Norm.L1 ? Math.abs(x) : x * x;
        }
      }
    }
    if (norm == Norm.L2) {
      for (int c = 0; c < s.length; c++) {
        s[c] = Math.sqrt(s[c]);
      }
    }
    return s;
  }

  /** The {@code count} indices of smallest score (ties: lower index first). */
  private static int[] ascending(double[] s, int count) {
    Integer[] idx = new Integer[s.length];
    Arrays.setAll(idx, i -> i);
    Arrays.sort(idx, (a, b) -> s[a] != s[b] ? Double.compare(s[a], s[b]) : Integer.compare(a, b));
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static boolean[] all(int n) {
    boolean[] b = new boolean[n];
    Arrays.fill(b, true);
    return b;
  }

  private static int[] indices(boolean[] kept) {
    int n = 0;
    for (boolean b : kept) {
      n += b ? 1 : 0;
    }
    int[] out = new int[n];
    int at = 0;
    for (int i = 0; i < kept.length; i++) {
      if (kept[i]) {
        out[at++] = i;
      }
    }
    return out;
  }

  /** Value types by name as shape inference sees them, from a copy (the model's own declarations stay as they are). */
  private static Map<String, Type.TensorType> inferredShapes(Model m) {
    Model c = m.copy();
    ShapeInference.infer(c);
    Map<String, Type.TensorType> out = new HashMap<>();
    for (Value v : c.graph().values()) {
      if (v.tensorType() != null) {
        out.put(v.name(), v.tensorType());
      }
    }
    return out;
  }

  static long parameters(Model m) {
    long n = 0;
    for (Value v : m.graph().initializers()) {
      n += v.initializer().elementCount();
    }
    return n;
  }

  private static String nameOf(Node n) {
    return n.name().isEmpty() ? n.output(0).name() : n.name();
  }
}
