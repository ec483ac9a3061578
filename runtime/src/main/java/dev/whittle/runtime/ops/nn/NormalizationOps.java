package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.List;

/** BatchNormalization (inference), InstanceNormalization, LayerNormalization. */
final class NormalizationOps {
  private NormalizationOps() {}

  static Kernel batchNorm(NodeContext ctx) {
    float epsilon = ctx.attrFloat("epsilon", 1e-5f);
    if (ctx.attrInt("training_mode", 0) != 0) {
      throw ctx.error("training_mode=1 is not supported").expected("inference-mode BatchNormalization").build();
    }
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      ConvOp.requireFloat(x);
      float[] xv = Casts.toFloats(x);
      float[] scale = Casts.toFloats((Tensor) in[1]);
      float[] bias = Casts.toFloats((Tensor) in[2]);
      float[] mean = Casts.toFloats((Tensor) in[3]);
      float[] var = Casts.toFloats((Tensor) in[4]);
      long[] d = x.dims();
      int c = d.length > 1 ? (int) d[1] : 1;
      int n = (int) d[0];
      int inner = Shapes.size(d) / Math.max(1, n * c);
      float[] y = new float[xv.length];
      for (int ch = 0; ch < c; ch++) {
        float s = (float) (scale[ch] / Math.sqrt(var[ch] + (double) epsilon));
        float t = bias[ch] - mean[ch] * s;
        for (int img = 0; img < n; img++) {
          int base = (img * c + ch) * inner;
          for (int i = 0; i < inner; i++) {
            y[base + i] = xv[base + i] * s + t;
          }
        }
      }
      return new Object[] {Casts.fromFloats(x.dtype(), d, y)};
    };
  }

  static Kernel instanceNorm(NodeContext ctx) {
    double epsilon = ctx.attrFloat("epsilon", 1e-5f);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      ConvOp.requireFloat(x);
      float[] xv = Casts.toFloats(x);
      float[] scale = Casts.toFloats((Tensor) in[1]);
      float[] bias = Casts.toFloats((Tensor) in[2]);
      long[] d = x.dims();
      int n = (int) d[0];
      int c = (int) d[1];
      int inner = Shapes.size(d) / (n * c);
      float[] y = new float[xv.length];
      for (int img = 0; img < n; img++) {
        for (int ch = 0; ch < c; ch++) {
          int base = (img * c + ch) * inner;
          double mean = 0;
          for (int i = 0; i < inner; i++) {
            mean += xv[base + i];
          }
          mean /= inner;
          double var = 0;
          for (int i = 0; i < inner; i++) {
            double dv = xv[base + i] - mean;
            var += dv * dv;
          }
          var /= inner;
          double inv = 1.0 / Math.sqrt(var + epsilon);
          for (int i = 0; i < inner; i++) {
            y[base + i] = (float) ((xv[base + i] - mean) * inv * scale[ch] + bias[ch]);
          }
        }
      }
      return new Object[] {Casts.fromFloats(x.dtype(), d, y)};
    };
  }

  /** LayerNormalization over the axes from {@code axis} on; optional Mean and InvStdDev outputs. */
  static Kernel layerNorm(NodeContext ctx) {
    long axisAttr = ctx.attrInt("axis", -1);
    double epsilon = ctx.attrFloat("epsilon", 1e-5f);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      ConvOp.requireFloat(x);
      long[] d = x.dims();
      int axis = Shapes.axis(axisAttr, d.length);
      int outer = 1;
      for (int i = 0; i < axis; i++) {
        outer *= (int) d[i];
      }
      int inner = Shapes.size(d) / Math.max(outer, 1);
      float[] xv = Casts.toFloats(x);
      Tensor scaleT = (Tensor) in[1];
      Tensor biasT = in.length > 2 ? (Tensor) in[2] : null;
      long[] normDims = java.util.Arrays.copyOfRange(d, axis, d.length);
      int[] is = Shapes.broadcastIndex(scaleT.dims(), normDims);
      float[] scale = Casts.toFloats(scaleT);
      int[] ib = biasT == null ? null : Shapes.broadcastIndex(biasT.dims(), normDims);
      float[] bias = biasT == null ? null : Casts.toFloats(biasT);
      float[] y = new float[xv.length];
      float[] means = new float[outer];
      float[] invStd = new float[outer];
      for (int o = 0; o < outer; o++) {
        int base = o * inner;
        double mean = 0;
        for (int i = 0; i < inner; i++) {
          mean += xv[base + i];
        }
        mean /= inner;
        double var = 0;
        for (int i = 0; i < inner; i++) {
          double dv = xv[base + i] - mean;
          var += dv * dv;
        }
        var /= inner;
        double inv = 1.0 / Math.sqrt(var + epsilon);
        means[o] = (float) mean;
        invStd[o] = (float) inv;
        for (int i = 0; i < inner; i++) {
          double v = (xv[base + i] - mean) * inv * scale[is[i]];
          y[base + i] = (float) (bias == null ? v : v + bias[ib[i]]);
        }
      }
      long[] statDims = d.clone();
      for (int i = axis; i < d.length; i++) {
        statDims[i] = 1;
      }
      // Mean and InvStdDev use stash_type (float32 by default).
      return new Object[] {Casts.fromFloats(x.dtype(), d, y), Tensor.wrapFloats(statDims, means),
          Tensor.wrapFloats(statDims, invStd)};
    };
  }

  static List<Type> inferLayerNorm(InferenceContext ctx) {
    Type x = ctx.inputType(0);
    if (!(x instanceof Type.TensorType xt) || !xt.shape().hasRank()) {
      return java.util.Arrays.asList(x, null, null);
    }
    int axis = Shapes.axis(ctx.attrInt("axis", -1), xt.shape().rank());
    List<Dim> stat = new ArrayList<>(xt.shape().dims());
    for (int i = axis; i < stat.size(); i++) {
      stat.set(i, Dim.of(1));
    }
    Type s = new Type.TensorType(DType.FLOAT, Shape.of(stat));
    return List.of(x, s, s);
  }
}
