package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning: the weights of smallest |w| go. A mask is true where a weight is kept. Masks
 * only ever shrink: a weight pruned by an earlier step stays pruned whatever retraining did.
 */
public final class MagnitudePruner {
  private MagnitudePruner() {}

  /** The layers the options select, in execution order. */
  public static List<PrunableLayer> selected(Model model, PruningOptions o) {
    List<PrunableLayer> all = PrunableLayer.find(model);
    for (String name : o.layerSparsity().keySet()) {
      if (all.stream().noneMatch(l -> l.name().equals(name) || l.node().name().equals(name))) {
        throw WhittleException.builder("no prunable layer '" + name + "' for its sparsity target")
            .expected("the weight or node name of a MatMul, Gemm or Conv with float32 constant weights")
            .found(all.size() + " prunable layer(s), e.g. " + all.stream().limit(3).map(PrunableLayer::name).toList()).build();
      }
    }
    if (o.pattern() == PruningOptions.Pattern.TWO_FOUR && !o.layerSparsity().isEmpty()) {
      throw WhittleException.builder("2:4 pruning has a fixed sparsity of 0.5: per-layer targets do not apply")
          .expected("pattern unstructured or channels").build();
    }
    List<PrunableLayer> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (whyNotSelected(all, i, o) == null) {
        out.add(all.get(i));
      }
    }
    if (out.isEmpty()) {
      throw WhittleException.builder("no layer to prune").expected("MatMul, Gemm or Conv with float32 constant weights"
          + (o.skipFirstAndLast() ? " other than the first and last" : "")).found(all.size() + " prunable layer(s)").build();
    }
    return out;
  }

  /** Why the options leave layer {@code i} of {@code all} (every prunable layer, in order) alone, or null when they select it. */
  static String whyNotSelected(List<PrunableLayer> all, int i, PruningOptions o) {
    PrunableLayer l = all.get(i);
    if (o.exclude().contains(l.name()) || o.exclude().contains(l.node().name())) {
      return "excluded";
    }
    if (o.hasOwnSparsity(l)) {
      return null;
    }
    if (!o.include().isEmpty()) {
      return o.include().contains(l.name()) || o.include().contains(l.node().name()) ? null : "not among the included layers";
    }
    if (o.skipFirstAndLast() && (i == 0 || i == all.size() - 1)) {
      return (i == 0 ? "the first" : "the last") + " prunable layer, left alone by default";
    }
    return null;
  }

  /**
   * Masks for the selected layers at the options' sparsity, computed from the model's current
   * weights; {@code previous} masks (may be empty) are kept pruned.
   */
  public static Map<String, boolean[]> masks(Model model, PruningOptions o, Map<String, boolean[]> previous) {
    return masks(model, o, previous, Map.of());
  }

  /**
   * As {@link #masks(Model, PruningOptions, Map)}, ranking by |w| times the RMS of the input row it
   * multiplies ({@code inputRms} by weight name, length K) where given.
   */
  public static Map<String, boolean[]> masks(Model model, PruningOptions o, Map<String, boolean[]> previous,
      Map<String, double[]> inputRms) {
    if (o.pattern() == PruningOptions.Pattern.CHANNELS) {
      throw WhittleException.builder("channel pruning removes channels from the graph, it has no masks")
          .expected("pattern unstructured or 2:4 (use ChannelPruner for channels)").build();
    }
    List<PrunableLayer> layers = selected(model, o);
    Map<String, boolean[]> masks = new LinkedHashMap<>();
    if (o.pattern() == PruningOptions.Pattern.TWO_FOUR) {
      for (PrunableLayer l : layers) {
        masks.put(l.name(), twoOfFour(l, scores(l, inputRms.get(l.name()))));
      }
    } else if (o.scope() == PruningOptions.Scope.LAYER) {
      for (PrunableLayer l : layers) {
        masks.put(l.name(), ownMask(l, o, previous, inputRms));
      }
    } else {
      // layers with targets of their own are ranked alone; one threshold over all the others
      List<PrunableLayer> shared = layers.stream().filter(l -> !o.hasOwnSparsity(l)).toList();
      float[][] all = new float[shared.size()][];
      boolean[][] before = new boolean[shared.size()][];
      for (int i = 0; i < all.length; i++) {
        all[i] = scores(shared.get(i), inputRms.get(shared.get(i).name()));
        before[i] = previous(previous, shared.get(i), all[i].length)[0];
      }
      boolean[][] m = all.length == 0 ? new boolean[0][] : smallestGo(all, before, o.sparsity());
      for (PrunableLayer l : layers) {
        int i = shared.indexOf(l);
        if (i >= 0) {
          masks.put(l.name(), m[i]);
        } else {
          masks.put(l.name(), ownMask(l, o, previous, inputRms));
        }
      }
    }
    return masks;
  }

  /** The mask of {@code l} ranked within itself, at its own target. */
  private static boolean[] ownMask(PrunableLayer l, PruningOptions o, Map<String, boolean[]> previous, Map<String, double[]> inputRms) {
    float[] w = scores(l, inputRms.get(l.name()));
    return smallestGo(new float[][] {w}, previous(previous, l, w.length), o.sparsityOf(l))[0];
  }

  /** |w|, times the input's RMS per reduction row when known. */
  private static float[] scores(PrunableLayer l, double[] rms) {
    float[] w = l.weight().initializer().toFloatArray();
    float[] s = new float[w.length];
    for (int row = 0; row < l.k(); row++) {
      double f = rms == null ? 1 : rms[row];
      for (int col = 0; col < l.n(); col++) {
        int i = l.index(row, col);
        s[i] = (float) (Math.abs(w[i]) * f);
      }
    }
    return s;
  }

  private static boolean[][] previous(Map<String, boolean[]> previous, PrunableLayer l, int size) {
    boolean[] p = previous.get(l.name());
    if (p == null) {
      p = new boolean[size];
      Arrays.fill(p, true);
    }
    return new boolean[][] {p};
  }

  /** Prunes the round(sparsity · total) smallest magnitudes over all arrays (ties by position); already pruned first. */
  private static boolean[][] smallestGo(float[][] w, boolean[][] before, double sparsity) {
    long total = 0;
    for (float[] a : w) {
      total += a.length;
    }
    long[] keys = new long[Math.toIntExact(total)];
    int[] offset = new int[w.length];
    int at = 0;
    for (int i = 0; i < w.length; i++) {
      offset[i] = at;
      for (int j = 0; j < w[i].length; j++) {
        // pruned weights sort first; |w| as float bits orders like the value; position breaks ties
        long mag = before[i][j] ? Float.floatToIntBits(Math.abs(w[i][j])) + 1L : 0;
        keys[at] = mag << 32 | at;
        at++;
      }
    }
    Arrays.sort(keys);
    long prune = Math.round(sparsity * total);
    boolean[][] keep = new boolean[w.length][];
    for (int i = 0; i < w.length; i++) {
      keep[i] = new boolean[w[i].length];
      Arrays.fill(keep[i], true);
    }
    for (long r = 0; r < keys.length; r++) {
      int pos = (int) (keys[(int) r] & 0xffffffffL);
      int layer = layerOf(offset, pos);
      boolean wasPruned = !before[layer][pos - offset[layer]];
      if (r < prune || wasPruned) {
        keep[layer][pos - offset[layer]] = false;
      }
    }
    return keep;
  }

  private static int layerOf(int[] offset, int pos) {
    int i = Arrays.binarySearch(offset, pos);
    if (i >= 0) {
      while (i + 1 < offset.length && offset[i + 1] == pos) {
        i++;
      }
      return i;
    }
    return -i - 2;
  }

  /** 2:4 along the reduction axis: of every 4 consecutive inputs of an output, the 2 of largest |w| stay. */
  private static boolean[] twoOfFour(PrunableLayer l, float[] w) {
    boolean[] keep = new boolean[w.length];
    for (int col = 0; col < l.n(); col++) {
      for (int k0 = 0; k0 < l.k(); k0 += 4) {
        int size = Math.min(4, l.k() - k0);
        int keepCount = Math.min(2, size);
        Integer[] idx = new Integer[size];
        for (int j = 0; j < size; j++) {
          idx[j] = l.index(k0 + j, col);
        }
        Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(w[b]), Math.abs(w[a])));
        for (int j = 0; j < keepCount; j++) {
          keep[idx[j]] = true;
        }
      }
    }
    return keep;
  }

  /** Zeroes the masked weights: each pruned layer's weight gets a new tensor (other users of the old one are unaffected). */
  public static void apply(Model model, Map<String, boolean[]> masks) {
    for (Map.Entry<String, boolean[]> e : masks.entrySet()) {
      Value v = model.graph().value(e.getKey());
      float[] w = v.initializer().toFloatArray();
      boolean[] keep = e.getValue();
      for (int i = 0; i < w.length; i++) {
        if (!keep[i]) {
          w[i] = 0f;
        }
      }
      model.graph().setInitializer(v, Tensor.ofFloats(v.initializer().dims(), w));
    }
  }

  /** Fraction of false entries. */
  public static double sparsity(boolean[] mask) {
    int zeros = 0;
    for (boolean b : mask) {
      zeros += b ? 0 : 1;
    }
    return mask.length == 0 ? 0 : zeros / (double) mask.length;
  }
}
