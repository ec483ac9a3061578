package dev.whittle.runtime;

import dev.whittle.ir.Tensor;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Options for one run. A tap observes chosen intermediate values as they are computed (for
 * calibration): the observer receives the value's name and the tensor itself, which is immutable,
 * so nothing is copied; values nobody tapped are not retained. A {@link Profile} collects time per
 * op type.
 */
public record RunOptions(Set<String> tapped, BiConsumer<String, Tensor> observer, Profile profile) {
  public static final RunOptions NONE = new RunOptions(Set.of(), (n, t) -> { }, null);

  public RunOptions {
    tapped = Set.copyOf(tapped);
  }

  /** Observe the named values (of the main graph) with {@code observer}. */
  public static RunOptions tap(Set<String> names, BiConsumer<String, Tensor> observer) {
    return new RunOptions(names, observer, null);
  }

  /** These options, also accumulating the time of every step into {@code profile}. */
  public RunOptions profiled(Profile p) {
    return new RunOptions(tapped, observer, p);
  }

  boolean isTapped(String name) {
    return !tapped.isEmpty() && tapped.contains(name);
  }
}
