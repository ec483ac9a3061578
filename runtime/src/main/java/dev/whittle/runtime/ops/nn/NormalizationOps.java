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
      return batchNormTraining(epsilon, ctx.attrFloat("momentum", 0.9f));
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

  /**
   * Training mode (opset 14+): normalizes with the batch's own statistics and also returns the
   * updated running mean and variance.
   */
  private static Kernel batchNormTraining(double epsilon, double momentum) {
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      ConvOp.requireFloat(x);
      float[] xv = Casts.toFloats(x);
      float[] scale = Casts.toFloats((Tensor) in[1]);
      float[] bias = Casts.toFloats((Tensor) in[2]);
      float[] runMean = Casts.toFloats((Tensor) in[3]);
      float[] runVar = Casts.toFloats((Tensor) in[4]);
      long[] d = x.dims();
      int n = (int) d[0];
      int c = (int) d[1];
      int inner = Shapes.size(d) / (n * c);
      float[] y = new float[xv.length];
      float[] newMean = new float[c];
      float[] newVar = new float[c];
      for (int ch = 0; ch < c; ch++) {
        double sum = 0;
        for (int img = 0; img < n; img++) {
          for (int i = 0; i < inner; i++) {
            sum += xv[(img * c + ch) * inner + i];
          }
        }
        double mean = sum / (n * inner);
        double sq = 0;
        for (int img = 0; img < n; img++) {
          for (int i = 0; i < inner; i++) {
            double dv = xv[(img * c + ch) * inner + i] - mean;
            sq += dv * dv;
          }
        }
        double var = sq / (n * inner);
        double inv = 1.0 / Math.sqrt(var + epsilon);
        for (int img = 0; img < n; img++) {
          for (int i = 0; i < inner; i++) {
            int k = (img * c + ch) * inner + i;
            y[k] = (float) ((xv[k] - mean) * inv * scale[ch] + bias[ch]);
          }
        }
        newMean[ch] = (float) (runMean[ch] * momentum + mean * (1 - momentum));
        newVar[ch] = (float) (runVar[ch] * momentum + var * (1 - momentum));
      }
      long[] cd = {c};
      return new Object[] {Casts.fromFloats(x.dtype(), d, y), Casts.fromFloats(((Tensor) in[3]).dtype(), cd, newMean),
          Casts.fromFloats(((Tensor) in[4]).dtype(), cd, newVar)};
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
          double mean = mean(xv, base, inner);
          double inv = 1.0 / Math.sqrt(variance(xv, base, inner, mean) + epsilon);
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
      int outer = Shapes.outerSize(d, axis);
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
        double mean = mean(xv, base, inner);
        double inv = 1.0 / Math.sqrt(variance(xv, base, inner, mean) + epsilon);
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

  /** Y like X; in training mode also the running mean and variance like the inputs holding them. */
  static List<Type> inferBatchNorm(InferenceContext ctx) {
    return java.util.Arrays.asList(ctx.inputType(0), ctx.inputType(3), ctx.inputType(4));
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

  /** Mean of {@code len} floats from {@code start}. */
  static double mean(float[] v, int start, int len) {
    double sum = 0;
    for (int i = 0; i < len; i++) {
      sum += v[start + i];
    }
    return sum / len;
  }

  /** Population variance of {@code len} floats from {@code start} around {@code mean}. */
  static double variance(float[] v, int start, int len, double mean) {
    double sum = 0;
    for (int i = 0; i < len; i++) {
      double d = v[start + i] - mean;
      sum += d * d;
    }
    return sum / len;
  }
}
