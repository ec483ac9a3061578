package dev.whittle.runtime.ops.signal;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.util.function.IntToDoubleFunction;

/** Window functions (Hann, Hamming, Blackman), DFT and STFT, computed in double. */
public final class SpectralOps {
  private SpectralOps() {}

  public static void register(OpRegistry r) {
    window(r, "HannWindow", (n, len) -> 0.5 - 0.5 * Math.cos(2 * Math.PI * n / len));
    window(r, "HammingWindow", (n, len) -> 25.0 / 46 - (1 - 25.0 / 46) * Math.cos(2 * Math.PI * n / len));
    window(r, "BlackmanWindow", (n, len) -> 0.42 - 0.5 * Math.cos(2 * Math.PI * n / len) + 0.08 * Math.cos(4 * Math.PI * n / len));
    r.register("DFT", SpectralOps::dft, ctx -> java.util.Collections.singletonList(
        new Type.TensorType(Inference.elementType(ctx.inputType(0)) == null ? DType.FLOAT : Inference.elementType(ctx.inputType(0)),
            Shape.unknownRank())));
    r.register("STFT", SpectralOps::stft, ctx -> java.util.Collections.singletonList(
        new Type.TensorType(Inference.elementType(ctx.inputType(0)) == null ? DType.FLOAT : Inference.elementType(ctx.inputType(0)),
            Shape.unknownRank())));
  }

  private interface WindowFunction {
    double at(int n, double length);
  }

  private static void window(OpRegistry r, String op, WindowFunction f) {
    r.register(op, ctx -> {
      boolean periodic = ctx.attrInt("periodic", 1) != 0;
      DType out = DType.fromCode((int) ctx.attrInt("output_datatype", DType.FLOAT.code()));
      return (in, rc) -> {
        int size = (int) Casts.toLongs((Tensor) in[0])[0];
        double len = periodic ? size : size - 1;
        double[] w = new double[size];
        for (int n = 0; n < size; n++) {
          w[n] = f.at(n, len);
        }
        return new Object[] {Casts.fromDoubles(out, new long[] {size}, w)};
      };
    }, ctx -> java.util.Collections.singletonList(new Type.TensorType(
        DType.fromCode((int) ctx.attrInt("output_datatype", DType.FLOAT.code())), Shape.of(java.util.List.of(dev.whittle.ir.Dim.unknown())))));
  }

  /**
   * DFT along one axis of [batch, ..., 1|2] data (the last dim holds real or real/imaginary
   * parts). The axis comes from the attribute (opset 17) or the optional third input (opset 20).
   */
  private static Kernel dft(NodeContext ctx) {
    boolean inverse = ctx.attrInt("inverse", 0) != 0;
    boolean onesided = ctx.attrInt("onesided", 0) != 0;
    long axisAttr = ctx.attrInt("axis", 1);
    boolean axisInput = ctx.opset() >= 20;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] d = x.dims();
      int rank = d.length;
      long axisValue = axisInput ? (in.length > 2 && in[2] != null ? Casts.toLongs((Tensor) in[2])[0] : -2) : axisAttr;
      int axis = (int) (axisValue < 0 ? axisValue + rank : axisValue);
      int n = (int) d[axis];
      int length = in.length > 1 && in[1] != null ? (int) Casts.toLongs((Tensor) in[1])[0] : n;
      boolean complex = d[rank - 1] == 2;
      double[] v = Casts.toDoubles(x);
      int outer = Shapes.outerSize(d, axis);
      int inner = Shapes.innerSize(d, axis) / (int) d[rank - 1];
      int bins = onesided ? length / 2 + 1 : length;
      long[] outDims = d.clone();
      outDims[axis] = bins;
      outDims[rank - 1] = 2;
      double[] out = new double[outer * bins * inner * 2];
      double sign = inverse ? 1 : -1;
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          for (int kk = 0; kk < bins; kk++) {
            double re = 0;
            double im = 0;
            for (int t = 0; t < Math.min(n, length); t++) {
              int src = ((o * n + t) * inner + i) * (int) d[rank - 1];
              double xr = v[src];
              double xi = complex ? v[src + 1] : 0;
              double angle = sign * 2 * Math.PI * kk * t / length;
              double c = Math.cos(angle);
              double s = Math.sin(angle);
              re += xr * c - xi * s;
              im += xr * s + xi * c;
            }
            if (inverse) {
              re /= length;
              im /= length;
            }
            int dst = ((o * bins + kk) * inner + i) * 2;
            out[dst] = re;
            out[dst + 1] = im;
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), outDims, out)};
    };
  }

  /** STFT of [batch, length, 1|2] signals: windowed frames every frame_step samples, then a DFT of each. */
  private static Kernel stft(NodeContext ctx) {
    boolean onesided = ctx.attrInt("onesided", 1) != 0;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long step = Casts.toLongs((Tensor) in[1])[0];
      Tensor window = in.length > 2 ? (Tensor) in[2] : null;
      long frameLength = in.length > 3 && in[3] != null ? Casts.toLongs((Tensor) in[3])[0] : window.dim(0);
      double[] w = window == null ? null : Casts.toDoubles(window);
      long[] d = x.dims();
      int batch = (int) d[0];
      int len = (int) d[1];
      int comps = (int) d[2];
      int frames = (int) ((len - frameLength) / step + 1);
      int bins = (int) (onesided ? frameLength / 2 + 1 : frameLength);
      double[] v = Casts.toDoubles(x);
      double[] out = new double[batch * frames * bins * 2];
      IntToDoubleFunction win = t -> w == null ? 1 : w[t];
      for (int b = 0; b < batch; b++) {
        for (int f = 0; f < frames; f++) {
          for (int k = 0; k < bins; k++) {
            double re = 0;
            double im = 0;
            for (int t = 0; t < frameLength; t++) {
              int src = (b * len + (int) (f * step) + t) * comps;
              double xr = v[src] * win.applyAsDouble(t);
              double xi = comps == 2 ? v[src + 1] * win.applyAsDouble(t) : 0;
              double angle = -2 * Math.PI * k * t / frameLength;
              re += xr * Math.cos(angle) - xi * Math.sin(angle);
              im += xr * Math.sin(angle) + xi * Math.cos(angle);
            }
            int dst = ((b * frames + f) * bins + k) * 2;
            out[dst] = re;
            out[dst + 1] = im;
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), new long[] {batch, frames, bins, 2}, out)};
    };
  }
}
