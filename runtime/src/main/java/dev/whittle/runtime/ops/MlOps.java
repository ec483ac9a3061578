package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.ml.ClassicMlOps;

/** Registration of the ai.onnx.ml domain ops (see {@link StandardOps}). */
public final class MlOps {
  private MlOps() {}

  public static void register(OpRegistry r) {
    ClassicMlOps.register(r);
  }
}
