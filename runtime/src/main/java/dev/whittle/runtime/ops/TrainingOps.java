package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.training.OptimizerOps;

/** Registration of the ai.onnx.preview.training optimizers (see {@link StandardOps}). */
public final class TrainingOps {
  private TrainingOps() {}

  public static void register(OpRegistry r) {
    OptimizerOps.register(r);
  }
}
