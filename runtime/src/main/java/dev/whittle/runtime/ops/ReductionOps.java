package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.reduce.ReduceOps;
import dev.whittle.runtime.ops.reduce.SoftmaxOps;

/** Registration of reductions and the softmax family (see {@link StandardOps}). */
public final class ReductionOps {
  private ReductionOps() {}

  public static void register(OpRegistry r) {
    ReduceOps.register(r);
    SoftmaxOps.register(r);
  }
}
