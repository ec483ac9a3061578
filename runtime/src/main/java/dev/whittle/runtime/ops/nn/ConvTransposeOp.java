package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.kernels.Im2Col;
import dev.whittle.kernels.Kernels;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose: for each image and group, W^T * X gives one column per input position, which is
 * scattered (added) into the output windows (col2im).
 */
final class ConvTransposeOp {
  private ConvTransposeOp() {}

  /** Output spatial dims and pads [begin..., end...] per the spec's output_shape / auto_pad rules. */
  private record Layout(long[] out, long[] pads) {}

  private static Layout layout(long[] in, long[] kernel, long[] strides, long[] dilations, long[] pads, long[] outputPadding,
      long[] outputShape, String autoPad) {
    int n = in.length;
    long[] out = new long[n];
    long[] p = pads.clone();
    boolean same = autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER");
    for (int i = 0; i < n; i++) {
      long full = strides[i] * (in[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
      if (outputShape != null || same) {
        long target = outputShape != null ? outputShape[outputShape.length - n + i] : in[i] * strides[i];
        long total = Math.max(0, full - target);
        boolean upper = !autoPad.equals("SAME_LOWER");
        p[i] = upper ? total / 2 : total - total / 2;
        p[i + n] = total - p[i];
        out[i] = target;
      } else {
        if (autoPad.equals("VALID")) {
          Arrays.fill(p, 0);
        }
        out[i] = full - p[i] - p[i + n];
      }
    }
    return new Layout(out, p);
  }

  static Kernel create(NodeContext ctx) {
    long group = ctx.attrInt("group", 1);
    String autoPad = ctx.attrString("auto_pad", "NOTSET");
    long[] outputShape = ctx.attrInts("output_shape", null);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor w = (Tensor) in[1];
      Tensor b = in.length > 2 ? (Tensor) in[2] : null;
      ConvOp.requireFloat(x);
      long[] xd = x.dims();
      long[] wd = w.dims();
      int rank = xd.length - 2;
      long[] kernel = ctx.attrInts("kernel_shape", Arrays.copyOfRange(wd, 2, wd.length));
      long[] strides = ctx.attrInts("strides", SpatialGeometry.ones(rank));
      long[] dilations = ctx.attrInts("dilations", SpatialGeometry.ones(rank));
      long[] pads = ctx.attrInts("pads", new long[2 * rank]);
      long[] outputPadding = ctx.attrInts("output_padding", new long[rank]);
      long[] spatial = Arrays.copyOfRange(xd, 2, xd.length);
      Layout lay = layout(spatial, kernel, strides, dilations, pads, outputPadding, outputShape, autoPad);
      int n = (int) xd[0];
      int c = (int) xd[1];
      int cg = c / (int) group;
      int mg = (int) wd[1];
      int m = mg * (int) group;
      int inSize = Shapes.size(spatial);
      int outSize = Shapes.size(lay.out);
      int kSize = Shapes.size(kernel);
      float[] xv = Casts.toFloats(x);
      float[] wv = Casts.toFloats(w);
      float[] y = new float[n * m * outSize];
      float[] cols = new float[mg * kSize * inSize];
      int[] outStride = Shapes.strides(lay.out);
      int[] kIdx = new int[rank];
      int[] spatialInts = SpatialGeometry.ints(spatial);
      int[] kernelInts = SpatialGeometry.ints(kernel);
      int[] iIdx = new int[rank];
      for (int img = 0; img < n; img++) {
        for (int gi = 0; gi < group; gi++) {
          // cols[(m,k), p] = sum_c W[c, m, k] * X[c, p]
          Kernels.sgemm().multiply(mg * kSize, inSize, cg, 1f, wv, gi * cg * mg * kSize, mg * kSize, true,
              xv, (img * c + gi * cg) * inSize, inSize, false, 0f, cols, 0, inSize);
          for (int oc = 0; oc < mg; oc++) {
            int yBase = (img * m + gi * mg + oc) * outSize;
            Arrays.fill(kIdx, 0);
            for (int k = 0; k < kSize; k++) {
              int row = (oc * kSize + k) * inSize;
              Arrays.fill(iIdx, 0);
              for (int p = 0; p < inSize; p++) {
                int pos = 0;
                boolean inside = true;
                for (int d = 0; d < rank; d++) {
                  long o = iIdx[d] * strides[d] - lay.pads[d] + kIdx[d] * dilations[d];
                  if (o < 0 || o >= lay.out[d]) {
                    inside = false;
                    break;
                  }
                  pos += (int) o * outStride[d];
                }
                if (inside) {
                  y[yBase + pos] += cols[row + p];
                }
                Im2Col.increment(iIdx, spatialInts);
              }
              Im2Col.increment(kIdx, kernelInts);
            }
          }
        }
        if (b != null) {
          float[] bv = Casts.toFloats(b);
          for (int oc = 0; oc < m; oc++) {
            int base = (img * m + oc) * outSize;
            for (int p = 0; p < outSize; p++) {
              y[base + p] += bv[oc];
            }
          }
        }
      }
      long[] yd = new long[xd.length];
      yd[0] = n;
      yd[1] = m;
      System.arraycopy(lay.out, 0, yd, 2, rank);
      return new Object[] {Casts.fromFloats(x.dtype(), yd, y)};
    };
  }

  static List<Type> infer(InferenceContext ctx) {
    if (!(ctx.inputType(0) instanceof Type.TensorType xt) || !xt.shape().hasRank()
        || !(ctx.inputType(1) instanceof Type.TensorType wt) || !wt.shape().hasRank()) {
      return java.util.Collections.singletonList(null);
    }
    int rank = xt.shape().rank() - 2;
    List<Dim> dims = new ArrayList<>();
    dims.add(xt.shape().dim(0));
    Dim mg = wt.shape().dim(1);
    long group = ctx.attrInt("group", 1);
    dims.add(mg.isFixed() ? Dim.of(mg.value() * group) : Dim.unknown());
    List<Dim> inSpatial = xt.shape().dims().subList(2, xt.shape().rank());
    boolean known = inSpatial.stream().allMatch(Dim::isFixed) && wt.shape().isStatic();
    if (known) {
      long[] wd = wt.shape().toArray();
      Layout lay = layout(inSpatial.stream().mapToLong(Dim::value).toArray(),
          ctx.attrInts("kernel_shape", Arrays.copyOfRange(wd, 2, wd.length)),
          ctx.attrInts("strides", SpatialGeometry.ones(rank)), ctx.attrInts("dilations", SpatialGeometry.ones(rank)),
          ctx.attrInts("pads", new long[2 * rank]), ctx.attrInts("output_padding", new long[rank]),
          ctx.attrInts("output_shape", null), ctx.attrString("auto_pad", "NOTSET"));
      for (long o : lay.out) {
        dims.add(Dim.of(o));
      }
    } else {
      for (int i = 0; i < rank; i++) {
        dims.add(Dim.unknown());
      }
    }
    return List.of(new Type.TensorType(xt.elementType(), Shape.of(dims)));
  }
}
