package dev.whittle.runtime.ops.image;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resize (opsets 10-19) and Upsample: separable N-d resampling. For every resized axis a table of
 * (source index, weight) pairs per output index is built from the mode (nearest, linear, cubic,
 * optionally antialiased) and the coordinate transformation, then applied axis by axis in double.
 */
public final class ResizeOp {
  private ResizeOp() {}

  private record Settings(String mode, String transform, String nearestMode, double cubicA, boolean excludeOutside,
      double extrapolation, boolean antialias, long[] axes, String aspectPolicy) {}

  public static Kernel resize(NodeContext ctx) {
    boolean v10 = ctx.opset() < 11;
    Settings s = new Settings(ctx.attrString("mode", "nearest"),
        v10 ? "asymmetric" : ctx.attrString("coordinate_transformation_mode", "half_pixel"),
        v10 ? "floor" : ctx.attrString("nearest_mode", "round_prefer_floor"),
        ctx.attrFloat("cubic_coeff_a", -0.75f), ctx.attrInt("exclude_outside", 0) != 0,
        ctx.attrFloat("extrapolation_value", 0f), ctx.attrInt("antialias", 0) != 0, ctx.attrInts("axes", null),
        ctx.attrString("keep_aspect_ratio_policy", "stretch"));
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor roi = v10 ? null : opt(in, 1);
      Tensor scales = v10 ? opt(in, 1) : opt(in, 2);
      Tensor sizes = v10 ? null : opt(in, 3);
      return new Object[] {resize(x, roi, scales == null || scales.elementCount() == 0 ? null : Casts.toDoubles(scales),
          sizes == null || sizes.elementCount() == 0 ? null : Casts.toLongs(sizes), s)};
    };
  }

  /** Upsample (opset 7: scales attribute; 9: scales input): asymmetric coordinates, floor for nearest. */
  public static Kernel upsample(NodeContext ctx) {
    Settings s = new Settings(ctx.attrString("mode", "nearest"), "asymmetric", "floor", -0.75, false, 0, false, null, "stretch");
    float[] attrScales = ctx.attrFloats("scales", null);
    return (in, rc) -> {
      double[] scales;
      if (attrScales != null) {
        scales = new double[attrScales.length];
        for (int i = 0; i < scales.length; i++) {
          scales[i] = attrScales[i];
        }
      } else {
        scales = Casts.toDoubles((Tensor) in[1]);
      }
      return new Object[] {resize((Tensor) in[0], null, scales, null, s)};
    };
  }

  private static Tensor opt(Object[] in, int i) {
    return i < in.length ? (Tensor) in[i] : null;
  }

  private static Tensor resize(Tensor x, Tensor roiT, double[] scalesIn, long[] sizesIn, Settings s) {
    long[] d = x.dims();
    int rank = d.length;
    int[] axes = new int[s.axes == null ? rank : s.axes.length];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = s.axes == null ? i : Shapes.axis(s.axes[i], rank);
    }
    double[] scale = new double[rank];
    long[] out = d.clone();
    Arrays.fill(scale, 1);
    if (sizesIn != null) {
      if (s.aspectPolicy.equals("stretch")) {
        for (int i = 0; i < axes.length; i++) {
          out[axes[i]] = sizesIn[i];
          scale[axes[i]] = (double) sizesIn[i] / d[axes[i]];
        }
      } else {
        boolean notLarger = s.aspectPolicy.equals("not_larger");
        double common = notLarger ? Double.POSITIVE_INFINITY : 0;
        for (int i = 0; i < axes.length; i++) {
          double r = (double) sizesIn[i] / d[axes[i]];
          common = notLarger ? Math.min(common, r) : Math.max(common, r);
        }
        for (int a : axes) {
          scale[a] = common;
          out[a] = (long) Math.floor(common * d[a] + 0.5);
        }
      }
    } else if (scalesIn != null) {
      for (int i = 0; i < axes.length; i++) {
        scale[axes[i]] = scalesIn[i];
        out[axes[i]] = (long) Math.floor(d[axes[i]] * scalesIn[i]);
      }
    } else {
      throw WhittleException.builder("Resize needs scales or sizes").build();
    }
    double[] roi = new double[2 * rank];
    for (int i = 0; i < rank; i++) {
      roi[rank + i] = 1;
    }
    if (roiT != null && roiT.elementCount() > 0) {
      double[] r = Casts.toDoubles(roiT);
      for (int i = 0; i < axes.length; i++) {
        roi[axes[i]] = r[i];
        roi[rank + axes[i]] = r[axes.length + i];
      }
    }
    double[] v = Casts.toDoubles(x);
    long[] cur = d.clone();
    boolean[] extrapolate = null;
    List<boolean[]> outside = new ArrayList<>();
    for (int a = 0; a < rank; a++) {
      if (out[a] == d[a] && scale[a] == 1 && !s.transform.equals("tf_crop_and_resize")) {
        outside.add(null);
        continue;
      }
      Taps taps = taps(d[a], out[a], scale[a], roi[a], roi[rank + a], s);
      outside.add(taps.outside);
      v = apply(v, cur, a, taps);
      cur[a] = out[a];
    }
    if (s.transform.equals("tf_crop_and_resize")) {
      extrapolate = new boolean[v.length];
      int[] strides = Shapes.strides(out);
      for (int i = 0; i < v.length; i++) {
        for (int a = 0; a < rank; a++) {
          boolean[] o = outside.get(a);
          if (o != null && o[(i / strides[a]) % (int) out[a]]) {
            v[i] = s.extrapolation;
            break;
          }
        }
      }
    }
    return Casts.fromDoubles(x.dtype(), out, v);
  }

  /** For each output index along one axis: source indices, weights, and whether it lies outside (tf_crop). */
  private record Taps(int[][] index, double[][] weight, boolean[] outside) {}

  private static double original(double xr, long lenIn, long lenOut, double scale, double roiStart, double roiEnd, String t) {
    return switch (t) {
      case "half_pixel" -> (xr + 0.5) / scale - 0.5;
      case "half_pixel_symmetric" -> {
        double adjustment = lenOut / (scale * lenIn);
        double center = lenIn / 2.0;
        yield center * (1 - adjustment) + (xr + 0.5) / scale - 0.5;
      }
      case "pytorch_half_pixel" -> lenOut > 1 ? (xr + 0.5) / scale - 0.5 : 0;
      // The spec's "length_resized" here is scale * length_original, not the rounded output size.
      case "align_corners" -> lenOut == 1 ? 0 : xr * (lenIn - 1) / (scale * lenIn - 1);
      case "asymmetric" -> xr / scale;
      case "tf_crop_and_resize" -> lenOut > 1
          ? roiStart * (lenIn - 1) + xr * (roiEnd - roiStart) * (lenIn - 1) / (lenOut - 1)
          : 0.5 * (roiStart + roiEnd) * (lenIn - 1);
      default -> throw WhittleException.builder("unknown coordinate_transformation_mode").found(t).build();
    };
  }

  private static Taps taps(long lenIn, long lenOut, double scale, double roiStart, double roiEnd, Settings s) {
    int n = (int) lenOut;
    int[][] index = new int[n][];
    double[][] weight = new double[n][];
    boolean[] outside = new boolean[n];
    for (int o = 0; o < n; o++) {
      double xo = original(o, lenIn, lenOut, scale, roiStart, roiEnd, s.transform);
      outside[o] = s.transform.equals("tf_crop_and_resize") && (xo < 0 || xo > lenIn - 1);
      switch (s.mode) {
        case "nearest" -> {
          long i = nearest(xo, s.nearestMode);
          index[o] = new int[] {(int) Math.max(0, Math.min(lenIn - 1, i))};
          weight[o] = new double[] {1};
        }
        case "linear", "cubic" -> {
          boolean cubic = s.mode.equals("cubic");
          double f = Math.floor(xo);
          double ratio = xo - f;
          double filterScale = s.antialias ? Math.min(scale, 1) : 1;
          int start = cubic ? (int) Math.floor(-2 / filterScale) + 1 : (int) Math.floor(-1 / filterScale) + 1;
          int end = cubic ? 2 - start : 2 - start; // exclusive: footprint 2 - 2 * start
          int count = end - start;
          int[] idx = new int[count];
          double[] w = new double[count];
          double sum = 0;
          for (int k = 0; k < count; k++) {
            double arg = (start + k - ratio) * filterScale;
            double c = cubic ? cubicKernel(arg, s.cubicA) : Math.max(0, 1 - Math.abs(arg));
            long src = (long) f + start + k;
            if (s.excludeOutside && (src < 0 || src >= lenIn)) {
              c = 0;
            }
            idx[k] = (int) Math.max(0, Math.min(lenIn - 1, src));
            w[k] = c;
            sum += c;
          }
          if (s.antialias || s.excludeOutside) {
            for (int k = 0; k < count; k++) {
              w[k] = sum == 0 ? 0 : w[k] / sum;
            }
          }
          index[o] = idx;
          weight[o] = w;
        }
        default -> throw WhittleException.builder("unknown Resize mode").expected("nearest, linear or cubic").found(s.mode).build();
      }
    }
    return new Taps(index, weight, outside);
  }

  private static long nearest(double x, String mode) {
    return switch (mode) {
      case "round_prefer_floor" -> x == Math.floor(x) + 0.5 ? (long) Math.floor(x) : Math.round(x);
      case "round_prefer_ceil" -> x == Math.floor(x) + 0.5 ? (long) Math.ceil(x) : Math.round(x);
      case "floor" -> (long) Math.floor(x);
      case "ceil" -> (long) Math.ceil(x);
      default -> throw WhittleException.builder("unknown nearest_mode").found(mode).build();
    };
  }

  /** Keys' cubic convolution kernel with parameter A, for |x| < 2. */
  private static double cubicKernel(double x, double a) {
    double t = Math.abs(x);
    if (t <= 1) {
      return ((a + 2) * t - (a + 3)) * t * t + 1;
    }
    if (t < 2) {
      return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
    }
    return 0;
  }

  /** Resamples {@code v} (dims {@code d}) along {@code axis} with the given taps. */
  private static double[] apply(double[] v, long[] d, int axis, Taps taps) {
    int outer = Shapes.outerSize(d, axis);
    int inner = Shapes.innerSize(d, axis);
    int lenIn = (int) d[axis];
    int lenOut = taps.index.length;
    double[] out = new double[outer * lenOut * inner];
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < lenOut; j++) {
        int[] idx = taps.index[j];
        double[] w = taps.weight[j];
        int dst = (o * lenOut + j) * inner;
        for (int k = 0; k < idx.length; k++) {
          if (w[k] == 0) {
            continue;
          }
          int src = (o * lenIn + idx[k]) * inner;
          for (int i = 0; i < inner; i++) {
            out[dst + i] += w[k] * v[src + i];
          }
        }
      }
    }
    return out;
  }

  public static List<Type> infer(InferenceContext ctx) {
    Type t = ctx.inputType(0);
    return java.util.Collections.singletonList(t instanceof Type.TensorType tt && tt.shape().hasRank()
        ? new Type.TensorType(tt.elementType(), Shape.of(java.util.Collections.nCopies(tt.shape().rank(), Dim.unknown()))) : t);
  }
}
