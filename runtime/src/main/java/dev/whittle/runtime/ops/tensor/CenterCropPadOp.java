package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Shapes;

/** CenterCropPad: each chosen axis is cropped or zero-padded symmetrically to the target size. */
final class CenterCropPadOp {
  private CenterCropPadOp() {}

  static Kernel create(NodeContext ctx) {
    long[] axesAttr = ctx.attrInts("axes", null);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] target = Elements.longs((Tensor) in[1]);
      int rank = x.rank();
      long[] d = x.dims();
      long[] starts = new long[rank];
      long[] ends = d.clone();
      long[] pads = new long[2 * rank];
      for (int i = 0; i < target.length; i++) {
        int a = axesAttr == null ? i : Shapes.axis(axesAttr[i], rank);
        long diff = d[a] - target[i];
        if (diff > 0) {
          starts[a] = diff / 2;
          ends[a] = starts[a] + target[i];
        } else if (diff < 0) {
          pads[a] = -diff / 2;
          pads[a + rank] = -diff - pads[a];
        }
      }
      long[] axes = new long[rank];
      for (int i = 0; i < rank; i++) {
        axes[i] = i;
      }
      Tensor cropped = LayoutOps.slice(x, starts, ends, axes, null);
      return new Object[] {PadOp.pad(cropped, pads, "constant", null)};
    };
  }
}
