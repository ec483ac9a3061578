package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;

/** Registration of this op family (see {@link StandardOps}). */
public final class ControlFlowOps {
  private ControlFlowOps() {}

  public static void register(OpRegistry r) {
  }
}
