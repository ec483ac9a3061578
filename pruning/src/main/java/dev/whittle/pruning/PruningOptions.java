package dev.whittle.pruning;

import dev.whittle.ir.WhittleException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What to prune and how: target sparsity in [0, 1), the pattern (unstructured, or N:M along the
 * reduction axis), whether thresholds are per layer or one global threshold, whether the first and
 * last prunable layers are left dense (the default: they are small and sensitive), explicit
 * layer selections by weight or node name, and per-layer targets (by weight or node name) that
 * override the sparsity for those layers and select them (first and last included).
 */
public record PruningOptions(double sparsity, Pattern pattern, Scope scope, boolean skipFirstAndLast, Set<String> include,
    Set<String> exclude, Criterion criterion, Map<String, Double> layerSparsity) {
  /**
   * What "smallest" means: |w|, or |w| times the RMS of the input it multiplies on calibration data
   * (activation-aware magnitude: a small weight on a large input matters more than a large weight on
   * an input that is almost always zero), or second order: the optimal brain surgeon's w²/[H⁻¹]ᵢᵢ with
   * H the Gram matrix of the layer's inputs, which also updates the kept weights to compensate
   * ({@link ObsPruner}).
   */
  public enum Criterion { MAGNITUDE, ACTIVATION, OBS }

  /**
   * Which weights may go: any, two of every four inputs of an output, or whole output channels
   * (physically removed by {@link ChannelPruner}; sparsity is then the fraction of channels).
   */
  public enum Pattern { UNSTRUCTURED, TWO_FOUR, CHANNELS }

  /** One threshold per layer, or one over all selected layers. */
  public enum Scope { LAYER, GLOBAL }

  public PruningOptions {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw WhittleException.builder("sparsity must be at least 0 and below 1").found(Double.toString(sparsity)).build();
    }
    include = Set.copyOf(include);
    exclude = Set.copyOf(exclude);
    layerSparsity = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layerSparsity));
    layerSparsity.forEach((name, s) -> {
      if (!(s >= 0 && s < 1)) {
        throw WhittleException.builder("the sparsity of layer '" + name + "' must be at least 0 and below 1").found(Double.toString(s)).build();
      }
    });
  }

  public static PruningOptions of(double sparsity) {
    return new PruningOptions(sparsity, Pattern.UNSTRUCTURED, Scope.LAYER, true, Set.of(), Set.of(), Criterion.MAGNITUDE, Map.of());
  }

  public PruningOptions withSparsity(double s) {
    return new PruningOptions(s, pattern, scope, skipFirstAndLast, include, exclude, criterion, layerSparsity);
  }

  public PruningOptions withPattern(Pattern p) {
    return new PruningOptions(sparsity, p, scope, skipFirstAndLast, include, exclude, criterion, layerSparsity);
  }

  public PruningOptions withScope(Scope s) {
    return new PruningOptions(sparsity, pattern, s, skipFirstAndLast, include, exclude, criterion, layerSparsity);
  }

  public PruningOptions withSkipFirstAndLast(boolean b) {
    return new PruningOptions(sparsity, pattern, scope, b, include, exclude, criterion, layerSparsity);
  }

  /** Only these layers (weight or node names); empty means every prunable layer. */
  public PruningOptions withInclude(Set<String> names) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, names, exclude, criterion, layerSparsity);
  }

  public PruningOptions withExclude(Set<String> names) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, include, names, criterion, layerSparsity);
  }

  public PruningOptions withCriterion(Criterion c) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, include, exclude, c, layerSparsity);
  }

  /**
   * Targets for single layers (weight or node name → sparsity), overriding {@link #sparsity} for
   * them; each named layer is pruned even when it is the first or last. Under a global scope the
   * named layers are ranked on their own and the one threshold covers the others.
   */
  public PruningOptions withLayerSparsity(Map<String, Double> targets) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, include, exclude, criterion, targets);
  }

  /** The target of layer {@code l}: its own when one is set (by weight, then node name), else {@link #sparsity}. */
  public double sparsityOf(PrunableLayer l) {
    Double s = layerSparsity.get(l.name());
    if (s == null && !l.node().name().isEmpty()) {
      s = layerSparsity.get(l.node().name());
    }
    return s == null ? sparsity : s;
  }

  /** Whether {@code l} has a target of its own. */
  public boolean hasOwnSparsity(PrunableLayer l) {
    return layerSparsity.containsKey(l.name()) || !l.node().name().isEmpty() && layerSparsity.containsKey(l.node().name());
  }

  /** These options at step {@code t} of {@code schedule}: the overall and every per-layer target follow the schedule. */
  public PruningOptions atStep(Schedule schedule, int t) {
    Map<String, Double> step = new LinkedHashMap<>();
    layerSparsity.forEach((name, s) -> step.put(name, schedule.sparsityAt(t, s)));
    return withSparsity(schedule.sparsityAt(t, sparsity)).withLayerSparsity(step);
  }

  /** magnitude, activation or obs. */
  public static Criterion parseCriterion(String s) {
    return switch (s) {
      case "magnitude" -> Criterion.MAGNITUDE;
      case "activation" -> Criterion.ACTIVATION;
      case "obs" -> Criterion.OBS;
      default -> throw WhittleException.builder("unknown pruning criterion '" + s + "'").expected("magnitude, activation or obs").build();
    };
  }

  static Pattern parsePattern(String s) {
    return switch (s) {
      case "unstructured" -> Pattern.UNSTRUCTURED;
      case "2:4" -> Pattern.TWO_FOUR;
      case "channels" -> Pattern.CHANNELS;
      default -> throw WhittleException.builder("unknown pruning pattern '" + s + "'").expected("unstructured, 2:4 or channels").build();
    };
  }

  static Scope parseScope(String s) {
    return switch (s) {
      case "layer" -> Scope.LAYER;
      case "global" -> Scope.GLOBAL;
      default -> throw WhittleException.builder("unknown pruning scope '" + s + "'").expected("layer or global").build();
    };
  }
}
