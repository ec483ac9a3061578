package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.tensor.GatherOps;
import dev.whittle.runtime.ops.tensor.IndexOps;
import dev.whittle.runtime.ops.tensor.LayoutOps;
import dev.whittle.runtime.ops.tensor.ShapeOps;
import dev.whittle.runtime.ops.tensor.SortOps;

/** Registration of tensor creation and shape manipulation ops (see {@link StandardOps}). */
public final class TensorOps {
  private TensorOps() {}

  public static void register(OpRegistry r) {
    ShapeOps.register(r);
    LayoutOps.register(r);
    GatherOps.register(r);
    IndexOps.register(r);
    SortOps.register(r);
  }
}
