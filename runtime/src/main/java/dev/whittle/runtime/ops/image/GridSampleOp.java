package dev.whittle.runtime.ops.image;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.List;

/**
 * GridSample (opsets 16, 20, 22) over 2-D or 3-D spatial data: samples X at the normalized grid
 * coordinates with nearest, (bi/tri)linear or cubic interpolation and zeros, border or reflection
 * padding.
 */
public final class GridSampleOp {
  private GridSampleOp() {}

  public static Kernel create(NodeContext ctx) {
    String mode = ctx.attrString("mode", ctx.opset() < 20 ? "bilinear" : "linear");
    String padding = ctx.attrString("padding_mode", "zeros");
    boolean alignCorners = ctx.attrInt("align_corners", 0) != 0;
    int kind = switch (mode) {
      case "nearest" -> 0;
      case "bilinear", "linear" -> 1;
      case "bicubic", "cubic" -> 2;
      default -> throw ctx.error("unknown mode").expected("nearest, linear or cubic").found(mode).build();
    };
    return (in, rc) -> new Object[] {sample((Tensor) in[0], (Tensor) in[1], kind, padding, alignCorners)};
  }

  private static Tensor sample(Tensor x, Tensor grid, int kind, String padding, boolean align) {
    long[] xd = x.dims();
    long[] gd = grid.dims();
    int n = (int) xd[0];
    int c = (int) xd[1];
    int k = xd.length - 2;
    int[] size = new int[k];
    for (int i = 0; i < k; i++) {
      size[i] = (int) xd[2 + i];
    }
    int inSize = Shapes.size(java.util.Arrays.copyOfRange(xd, 2, xd.length));
    long[] outSpatial = java.util.Arrays.copyOfRange(gd, 1, gd.length - 1);
    int outSize = Shapes.size(outSpatial);
    double[] xv = Casts.toDoubles(x);
    double[] gv = Casts.toDoubles(grid);
    double[] y = new double[n * c * outSize];
    int[] strides = new int[k];
    int acc = 1;
    for (int i = k - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= size[i];
    }
    double[] coord = new double[k];
    for (int b = 0; b < n; b++) {
      for (int p = 0; p < outSize; p++) {
        // Grid components are (x, y[, z]): the last spatial dim first.
        for (int i = 0; i < k; i++) {
          double g = gv[(b * outSize + p) * k + (k - 1 - i)];
          double u = align ? (g + 1) / 2 * (size[i] - 1) : ((g + 1) * size[i] - 1) / 2;
          coord[i] = padding.equals("reflection") ? reflect(u, size[i], align) : u;
        }
        for (int ch = 0; ch < c; ch++) {
          int base = (b * c + ch) * inSize;
          y[(b * c + ch) * outSize + p] = interpolate(xv, base, size, strides, coord, kind, padding, align);
        }
      }
    }
    long[] yd = new long[xd.length];
    yd[0] = n;
    yd[1] = c;
    System.arraycopy(outSpatial, 0, yd, 2, k);
    return Casts.fromDoubles(x.dtype(), yd, y);
  }

  private static double interpolate(double[] v, int base, int[] size, int[] strides, double[] coord, int kind, String padding,
      boolean align) {
    int k = size.length;
    if (kind == 0) {
      int[] idx = new int[k];
      for (int i = 0; i < k; i++) {
        idx[i] = (int) Math.rint(coord[i]);
      }
      return fetch(v, base, size, strides, idx, padding, align);
    }
    int taps = kind == 1 ? 2 : 4;
    int[] first = new int[k];
    double[][] w = new double[k][];
    for (int i = 0; i < k; i++) {
      double f = Math.floor(coord[i]);
      double t = coord[i] - f;
      first[i] = (int) f - (kind == 1 ? 0 : 1);
      w[i] = kind == 1 ? new double[] {1 - t, t} : cubic(t);
    }
    int[] idx = new int[k];
    int[] step = new int[k];
    double sum = 0;
    int total = (int) Math.pow(taps, k);
    for (int t = 0; t < total; t++) {
      int rem = t;
      double weight = 1;
      for (int i = k - 1; i >= 0; i--) {
        step[i] = rem % taps;
        rem /= taps;
        idx[i] = first[i] + step[i];
        weight *= w[i][step[i]];
      }
      if (weight != 0) {
        sum += weight * fetch(v, base, size, strides, idx, padding, align);
      }
    }
    return sum;
  }

  /** Cubic convolution weights (A = -0.75) for the four taps around a fraction t. */
  private static double[] cubic(double t) {
    double a = -0.75;
    double[] w = new double[4];
    double[] d = {t + 1, t, 1 - t, 2 - t};
    for (int i = 0; i < 4; i++) {
      double x = Math.abs(d[i]);
      w[i] = x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a : 0;
    }
    return w;
  }

  private static double fetch(double[] v, int base, int[] size, int[] strides, int[] idx, String padding, boolean align) {
    int off = base;
    for (int i = 0; i < size.length; i++) {
      int j = idx[i];
      if (j < 0 || j >= size[i]) {
        switch (padding) {
          case "zeros" -> {
            return 0;
          }
          case "border" -> j = Math.max(0, Math.min(size[i] - 1, j));
          default -> j = (int) Math.max(0, Math.min(size[i] - 1, Math.round(reflect(j, size[i], align))));
        }
      }
      off += j * strides[i];
    }
    return v[off];
  }

  /** Reflects a coordinate into [0, size-1] (align_corners) or [-0.5, size-0.5]. */
  private static double reflect(double x, int size, boolean align) {
    double lo = align ? 0 : -0.5;
    double hi = align ? size - 1 : size - 0.5;
    double range = hi - lo;
    if (range <= 0) {
      return 0;
    }
    if (x < lo) {
      double dx = lo - x;
      long flips = (long) (dx / range);
      double r = dx - flips * range;
      return flips % 2 == 0 ? lo + r : hi - r;
    }
    if (x > hi) {
      double dx = x - hi;
      long flips = (long) (dx / range);
      double r = dx - flips * range;
      return flips % 2 == 0 ? hi - r : lo + r;
    }
    return x;
  }

  public static List<Type> infer(InferenceContext ctx) {
    return java.util.Collections.singletonList(ResizeOp.infer(ctx).get(0));
  }
}
