package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.nn.NeuralNetOps;

/** Registration of the neural-network op family (see {@link StandardOps}). */
public final class NnOps {
  private NnOps() {}

  public static void register(OpRegistry r) {
    NeuralNetOps.register(r);
  }
}
