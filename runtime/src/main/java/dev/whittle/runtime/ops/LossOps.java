package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.loss.LossFunctions;

/** Registration of the loss functions (see {@link StandardOps}). */
public final class LossOps {
  private LossOps() {}

  public static void register(OpRegistry r) {
    LossFunctions.register(r);
  }
}
