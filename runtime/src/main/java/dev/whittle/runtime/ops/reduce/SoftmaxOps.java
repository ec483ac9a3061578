package dev.whittle.runtime.ops.reduce;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;

/**
 * Softmax, LogSoftmax and Hardmax. Before opset 13 they flatten the input to 2-D at {@code axis}
 * (default 1) and normalize each row; from 13 they work along the single {@code axis} (default -1).
 */
public final class SoftmaxOps {
  private SoftmaxOps() {}

  private enum Kind { SOFTMAX, LOG_SOFTMAX, HARDMAX }

  public static void register(OpRegistry r) {
    r.register("Softmax", ctx -> create(ctx, Kind.SOFTMAX), Inference::sameAsInput0);
    r.register("LogSoftmax", ctx -> create(ctx, Kind.LOG_SOFTMAX), Inference::sameAsInput0);
    r.register("Hardmax", ctx -> create(ctx, Kind.HARDMAX), Inference::sameAsInput0);
  }

  private static Kernel create(NodeContext ctx, Kind kind) {
    boolean flatten = ctx.opset() < 13;
    long axisAttr = ctx.attrInt("axis", flatten ? 1 : -1);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] d = x.dims();
      int axis = Shapes.axis(axisAttr, Math.max(d.length, 1));
      int len;
      int inner;
      if (flatten) {
        len = 1;
        for (int i = axis; i < d.length; i++) {
          len *= (int) d[i];
        }
        inner = 1;
      } else {
        len = (int) d[axis];
        inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
          inner *= (int) d[i];
        }
      }
      int outer = (int) x.elementCount() / Math.max(1, len * inner);
      double[] v = Casts.toDoubles(x);
      double[] y = new double[v.length];
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          int base = o * len * inner + i;
          double max = Double.NEGATIVE_INFINITY;
          int arg = 0;
          for (int t = 0; t < len; t++) {
            double cur = v[base + t * inner];
            if (cur > max) {
              max = cur;
              arg = t;
            }
          }
          if (kind == Kind.HARDMAX) {
            y[base + arg * inner] = 1;
            continue;
          }
          double sum = 0;
          for (int t = 0; t < len; t++) {
            sum += Math.exp(v[base + t * inner] - max);
          }
          for (int t = 0; t < len; t++) {
            double shifted = v[base + t * inner] - max;
            y[base + t * inner] = kind == Kind.SOFTMAX ? Math.exp(shifted) / sum : shifted - Math.log(sum);
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
    };
  }
}
