package dev.whittle.runtime.ops.loss;

import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import java.util.Arrays;
import java.util.List;

/** NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (reductions none/sum/mean, weights, ignore_index). */
public final class LossFunctions {
  private LossFunctions() {}

  public static void register(OpRegistry r) {
    r.register("NegativeLogLikelihoodLoss", ctx -> {
      String reduction = ctx.attrString("reduction", "mean");
      Long ignore = ctx.hasAttr("ignore_index") ? ctx.attrInt("ignore_index", 0) : null;
      return (in, rc) -> {
        Tensor input = (Tensor) in[0];
        Tensor weight = in.length > 2 ? (Tensor) in[2] : null;
        return new Object[] {nll(Casts.toDoubles(input), input.dims(), (Tensor) in[1], weight, reduction, ignore, input.dtype())};
      };
    }, LossFunctions::inferNll);
    r.register("SoftmaxCrossEntropyLoss", ctx -> {
      String reduction = ctx.attrString("reduction", "mean");
      Long ignore = ctx.hasAttr("ignore_index") ? ctx.attrInt("ignore_index", 0) : null;
      return (in, rc) -> {
        Tensor scores = (Tensor) in[0];
        Tensor weight = in.length > 2 ? (Tensor) in[2] : null;
        double[] logProb = logSoftmaxAxis1(Casts.toDoubles(scores), scores.dims());
        Tensor loss = nll(logProb, scores.dims(), (Tensor) in[1], weight, reduction, ignore, scores.dtype());
        return new Object[] {loss, Casts.fromDoubles(scores.dtype(), scores.dims(), logProb)};
      };
    }, ctx -> {
      List<Type> nll = inferNll(ctx);
      return Arrays.asList(nll.get(0), ctx.inputType(0));
    });
  }

  private static double[] logSoftmaxAxis1(double[] x, long[] d) {
    int n = (int) d[0];
    int c = (int) d[1];
    int inner = x.length / Math.max(1, n * c);
    double[] out = new double[x.length];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < inner; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          max = Math.max(max, x[(b * c + k) * inner + i]);
        }
        double sum = 0;
        for (int k = 0; k < c; k++) {
          sum += Math.exp(x[(b * c + k) * inner + i] - max);
        }
        double log = Math.log(sum);
        for (int k = 0; k < c; k++) {
          int p = (b * c + k) * inner + i;
          out[p] = x[p] - max - log;
        }
      }
    }
    return out;
  }

  /** loss[n, d] = -input[n, target, d] * weight[target]; ignored targets contribute nothing. */
  private static Tensor nll(double[] input, long[] d, Tensor target, Tensor weight, String reduction, Long ignore,
      dev.whittle.ir.DType dtype) {
    int n = (int) d[0];
    int c = (int) d[1];
    int inner = input.length / Math.max(1, n * c);
    long[] t = Casts.toLongs(target);
    double[] w = weight == null ? null : Casts.toDoubles(weight);
    double[] loss = new double[n * inner];
    double weightSum = 0;
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < inner; i++) {
        long cls = t[b * inner + i];
        if (ignore != null && cls == ignore) {
          continue;
        }
        double wt = w == null ? 1 : w[(int) cls];
        loss[b * inner + i] = -input[(b * c + (int) cls) * inner + i] * wt;
        weightSum += wt;
      }
    }
    switch (reduction) {
      case "none" -> {
        long[] outDims = new long[d.length - 1];
        outDims[0] = n;
        System.arraycopy(d, 2, outDims, 1, d.length - 2);
        return Casts.fromDoubles(dtype, outDims, loss);
      }
      case "sum" -> {
        return Casts.fromDoubles(dtype, new long[0], new double[] {Arrays.stream(loss).sum()});
      }
      case "mean" -> {
        double sum = Arrays.stream(loss).sum();
        return Casts.fromDoubles(dtype, new long[0], new double[] {weightSum == 0 ? 0 : sum / weightSum});
      }
      default -> throw dev.whittle.ir.WhittleException.builder("unknown reduction").expected("none, sum or mean").found(reduction).build();
    }
  }

  private static List<Type> inferNll(InferenceContext ctx) {
    dev.whittle.ir.DType dt = Inference.elementType(ctx.inputType(0));
    if (dt == null) {
      return java.util.Collections.singletonList(null);
    }
    if (!ctx.attrString("reduction", "mean").equals("none")) {
      return List.of(new Type.TensorType(dt, Shape.of()));
    }
    return List.of(ctx.inputType(1) instanceof Type.TensorType t ? new Type.TensorType(dt, t.shape()) : new Type.TensorType(dt, Shape.unknownRank()));
  }
}
