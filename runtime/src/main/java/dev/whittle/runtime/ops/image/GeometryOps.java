package dev.whittle.runtime.ops.image;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;

/** Col2Im, AffineGrid and MaxUnpool. */
public final class GeometryOps {
  private GeometryOps() {}

  public static void register(OpRegistry r) {
    r.register("Col2Im", ctx -> {
      long[] dil = ctx.attrInts("dilations", null);
      long[] pads = ctx.attrInts("pads", null);
      long[] strides = ctx.attrInts("strides", null);
      return (in, rc) -> new Object[] {col2im((Tensor) in[0], Casts.toLongs((Tensor) in[1]), Casts.toLongs((Tensor) in[2]), dil, pads, strides)};
    }, ResizeOp::infer);
    r.register("AffineGrid", ctx -> {
      boolean align = ctx.attrInt("align_corners", 0) != 0;
      return (in, rc) -> new Object[] {affineGrid((Tensor) in[0], Casts.toLongs((Tensor) in[1]), align)};
    }, ctx -> java.util.Collections.singletonList(null));
    r.register("MaxUnpool", ctx -> {
      long[] kernel = ctx.requireAttr("kernel_shape").ints();
      long[] pads = ctx.attrInts("pads", new long[2 * kernel.length]);
      long[] strides = ctx.attrInts("strides", null);
      return (in, rc) -> new Object[] {maxUnpool((Tensor) in[0], (Tensor) in[1], in.length > 2 ? (Tensor) in[2] : null, kernel, pads, strides)};
    }, Inference::sameAsInput0);
  }

  /** Sums the columns of [N, C*prod(block), L] back into [N, C, image...] (the inverse of im2col). */
  static Tensor col2im(Tensor x, long[] image, long[] block, long[] dilAttr, long[] padsAttr, long[] stridesAttr) {
    int k = image.length;
    long[] dil = dilAttr == null ? ones(k) : dilAttr;
    long[] pads = padsAttr == null ? new long[2 * k] : padsAttr;
    long[] strides = stridesAttr == null ? ones(k) : stridesAttr;
    long[] xd = x.dims();
    int n = (int) xd[0];
    int blockSize = Shapes.size(block);
    int c = (int) (xd[1] / blockSize);
    long[] blocksPer = new long[k];
    for (int i = 0; i < k; i++) {
      blocksPer[i] = (image[i] + pads[i] + pads[i + k] - dil[i] * (block[i] - 1) - 1) / strides[i] + 1;
    }
    int l = Shapes.size(blocksPer);
    int imageSize = Shapes.size(image);
    double[] v = Casts.toDoubles(x);
    double[] y = new double[n * c * imageSize];
    int[] imgStrides = Shapes.strides(image);
    int[] bIdx = new int[k];
    int[] lIdx = new int[k];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int kb = 0; kb < blockSize; kb++) {
          int rem = kb;
          for (int i = k - 1; i >= 0; i--) {
            bIdx[i] = rem % (int) block[i];
            rem /= (int) block[i];
          }
          for (int li = 0; li < l; li++) {
            int r2 = li;
            for (int i = k - 1; i >= 0; i--) {
              lIdx[i] = r2 % (int) blocksPer[i];
              r2 /= (int) blocksPer[i];
            }
            int off = 0;
            boolean inside = true;
            for (int i = 0; i < k; i++) {
              long p = lIdx[i] * strides[i] - pads[i] + bIdx[i] * dil[i];
              if (p < 0 || p >= image[i]) {
                inside = false;
                break;
              }
              off += (int) p * imgStrides[i];
            }
            if (inside) {
              y[(b * c + ch) * imageSize + off] += v[((b * c + ch) * blockSize + kb) * l + li];
            }
          }
        }
      }
    }
    long[] yd = new long[2 + k];
    yd[0] = n;
    yd[1] = c;
    System.arraycopy(image, 0, yd, 2, k);
    return Casts.fromDoubles(x.dtype(), yd, y);
  }

  private static long[] ones(int k) {
    long[] a = new long[k];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  /** Grid of normalized coordinates [N, (D,) H, W, k] = theta applied to the base grid of size. */
  static Tensor affineGrid(Tensor theta, long[] size, boolean align) {
    int k = size.length - 2;
    int n = (int) size[0];
    long[] spatial = java.util.Arrays.copyOfRange(size, 2, size.length);
    int points = Shapes.size(spatial);
    double[] t = Casts.toDoubles(theta);
    double[] out = new double[n * points * k];
    int[] idx = new int[k];
    for (int b = 0; b < n; b++) {
      java.util.Arrays.fill(idx, 0);
      for (int p = 0; p < points; p++) {
        // base coordinate (x, y[, z]): x runs along the last spatial dim
        double[] base = new double[k + 1];
        for (int i = 0; i < k; i++) {
          int dim = k - 1 - i;
          long len = spatial[dim];
          double pos = idx[dim];
          base[i] = align ? (len == 1 ? 0 : -1 + 2 * pos / (len - 1)) : (2 * pos + 1) / len - 1;
        }
        base[k] = 1;
        for (int r = 0; r < k; r++) {
          double s = 0;
          for (int j = 0; j <= k; j++) {
            s += t[(b * k + r) * (k + 1) + j] * base[j];
          }
          out[(b * points + p) * k + r] = s;
        }
        for (int i = k - 1; i >= 0; i--) {
          if (++idx[i] < spatial[i]) {
            break;
          }
          idx[i] = 0;
        }
      }
    }
    long[] od = new long[k + 2];
    od[0] = n;
    System.arraycopy(spatial, 0, od, 1, k);
    od[k + 1] = k;
    return Casts.fromDoubles(theta.dtype(), od, out);
  }

  /** Scatters pooled values back to the positions MaxPool's Indices recorded; everything else is zero. */
  static Tensor maxUnpool(Tensor x, Tensor indices, Tensor outputShape, long[] kernel, long[] pads, long[] stridesAttr) {
    long[] xd = x.dims();
    int k = kernel.length;
    long[] strides = stridesAttr == null ? ones(k) : stridesAttr;
    long[] natural = xd.clone();
    for (int i = 0; i < k; i++) {
      natural[2 + i] = (xd[2 + i] - 1) * strides[i] - (pads[i] + pads[i + k]) + kernel[i];
    }
    long[] out = outputShape != null ? Casts.toLongs(outputShape) : natural;
    double[] v = Casts.toDoubles(x);
    long[] idx = Casts.toLongs(indices);
    double[] y = new double[Shapes.size(out)];
    int[] from = Shapes.strides(natural);
    int[] to = Shapes.strides(out);
    for (int i = 0; i < v.length; i++) {
      // Indices address the natural output; re-address them in a larger requested shape.
      long rem = idx[i];
      int off = 0;
      for (int dim = 0; dim < natural.length; dim++) {
        off += (int) (rem / from[dim]) * to[dim];
        rem %= from[dim];
      }
      y[off] = v[i];
    }
    return Casts.fromDoubles(x.dtype(), out, y);
  }
}
