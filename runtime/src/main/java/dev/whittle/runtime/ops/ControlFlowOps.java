package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.control.ControlOps;
import dev.whittle.runtime.ops.control.ScanOp;
import dev.whittle.runtime.ops.control.SequenceOps;
import dev.whittle.runtime.ops.recurrent.RecurrentOp;

/** Registration of control flow, sequences, optionals and recurrent ops (see {@link StandardOps}). */
public final class ControlFlowOps {
  private ControlFlowOps() {}

  public static void register(OpRegistry r) {
    ControlOps.register(r);
    r.register("Scan", ScanOp::create, ScanOp::infer);
    SequenceOps.register(r);
    for (RecurrentOp.Cell cell : RecurrentOp.Cell.values()) {
      r.register(cell.name(), ctx -> RecurrentOp.create(ctx, cell), ctx -> RecurrentOp.infer(ctx, cell));
    }
  }
}
