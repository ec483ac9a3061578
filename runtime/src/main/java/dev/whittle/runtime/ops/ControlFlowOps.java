package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.control.ControlOps;
import dev.whittle.runtime.ops.control.ScanOp;
import dev.whittle.runtime.ops.control.SequenceOps;

/** Registration of control flow, sequences and optionals (see {@link StandardOps}). */
public final class ControlFlowOps {
  private ControlFlowOps() {}

  public static void register(OpRegistry r) {
    ControlOps.register(r);
    r.register("Scan", ScanOp::create, ScanOp::infer);
    SequenceOps.register(r);
  }
}
