package dev.whittle.runtime;

import dev.whittle.ir.Tensor;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Options for one run. A tap observes chosen intermediate values as they are computed (for
 * calibration): the observer receives the value's name and the tensor itself, which is immutable,
 * so nothing is copied; values nobody tapped are not retained.
 */
public record RunOptions(Set<String> tapped, BiConsumer<String, Tensor> observer) {
  public static final RunOptions NONE = new RunOptions(Set.of(), (n, t) -> { });

  public RunOptions {
    tapped = Set.copyOf(tapped);
  }

  /** Observe the named values (of the main graph) with {@code observer}. */
  public static RunOptions tap(Set<String> names, BiConsumer<String, Tensor> observer) {
    return new RunOptions(names, observer);
  }

  boolean isTapped(String name) {
    return !tapped.isEmpty() && tapped.contains(name);
  }
}
