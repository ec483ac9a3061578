package dev.whittle.pruning;

import dev.whittle.ir.WhittleException;
import java.util.Set;

/**
 * What to prune and how: target sparsity in [0, 1), the pattern (unstructured, or N:M along the
 * reduction axis), whether thresholds are per layer or one global threshold, whether the first and
 * last prunable layers are left dense (the default: they are small and sensitive), and explicit
 * layer selections by weight or node name.
 */
public record PruningOptions(double sparsity, Pattern pattern, Scope scope, boolean skipFirstAndLast, Set<String> include,
    Set<String> exclude, Criterion criterion) {
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
  }

  public static PruningOptions of(double sparsity) {
    return new PruningOptions(sparsity, Pattern.UNSTRUCTURED, Scope.LAYER, true, Set.of(), Set.of(), Criterion.MAGNITUDE);
  }

  public PruningOptions withSparsity(double s) {
    return new PruningOptions(s, pattern, scope, skipFirstAndLast, include, exclude, criterion);
  }

  public PruningOptions withPattern(Pattern p) {
    return new PruningOptions(sparsity, p, scope, skipFirstAndLast, include, exclude, criterion);
  }

  public PruningOptions withScope(Scope s) {
    return new PruningOptions(sparsity, pattern, s, skipFirstAndLast, include, exclude, criterion);
  }

  public PruningOptions withSkipFirstAndLast(boolean b) {
    return new PruningOptions(sparsity, pattern, scope, b, include, exclude, criterion);
  }

  /** Only these layers (weight or node names); empty means every prunable layer. */
  public PruningOptions withInclude(Set<String> names) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, names, exclude, criterion);
  }

  public PruningOptions withExclude(Set<String> names) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, include, names, criterion);
  }

  public PruningOptions withCriterion(Criterion c) {
    return new PruningOptions(sparsity, pattern, scope, skipFirstAndLast, include, exclude, c);
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
