package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;

/**
 * TensorScatter (opset 24), the KV-cache update: writes update[b] into past_cache[b] along
 * {@code axis} starting at write_indices[b] (0 when absent); in circular mode positions wrap
 * around the cache length.
 */
final class TensorScatterOp {
  private TensorScatterOp() {}

  static Kernel create(NodeContext ctx) {
    long axisAttr = ctx.attrInt("axis", -2);
    boolean circular = ctx.attrString("mode", "linear").equals("circular");
    return (in, rc) -> {
      Tensor cache = (Tensor) in[0];
      Tensor update = (Tensor) in[1];
      long[] starts = in.length > 2 && in[2] != null ? Casts.toLongs((Tensor) in[2]) : null;
      long[] cd = cache.dims();
      long[] ud = update.dims();
      int axis = Shapes.axis(axisAttr, cd.length);
      int[] cStrides = Shapes.strides(cd);
      int n = (int) cache.elementCount();
      int[] src = new int[n];
      for (int i = 0; i < n; i++) {
        src[i] = i;
      }
      int[] uStrides = Shapes.strides(ud);
      int[] idx = new int[ud.length];
      for (int u = 0; u < update.elementCount(); u++) {
        long start = starts == null ? 0 : starts[idx[0]];
        int off = 0;
        for (int k = 0; k < ud.length; k++) {
          long c = idx[k];
          if (k == axis) {
            c += start;
            if (circular) {
              c = Math.floorMod(c, cd[axis]);
            }
          }
          off += (int) c * cStrides[k];
        }
        src[off] = n + u;
        for (int k = ud.length - 1; k >= 0; k--) {
          if (++idx[k] < ud[k]) {
            break;
          }
          idx[k] = 0;
        }
      }
      Tensor both = LayoutOps.concat(new Object[] {cache.reshaped(new long[] {n}), update.reshaped(new long[] {update.elementCount()})}, 0);
      return new Object[] {Elements.select(both, src, cd)};
    };
  }
}
