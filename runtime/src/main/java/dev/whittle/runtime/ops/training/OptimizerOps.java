package dev.whittle.runtime.ops.training;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer update rules of the {@code ai.onnx.preview.training} domain: Adagrad, Momentum and
 * Adam. Each takes a learning rate R and step count T, then groups of tensors per optimized weight,
 * and returns the updated tensors. Computed in double, returned in the inputs' types.
 */
public final class OptimizerOps {
  public static final String DOMAIN = "ai.onnx.preview.training";

  private OptimizerOps() {}

  public static void register(OpRegistry r) {
    r.register(new OpRegistry.OpDef(DOMAIN, "Adagrad", 1, OptimizerOps::adagrad, OptimizerOps::sameAsStateInputs));
    r.register(new OpRegistry.OpDef(DOMAIN, "Momentum", 1, OptimizerOps::momentum, OptimizerOps::sameAsStateInputs));
    r.register(new OpRegistry.OpDef(DOMAIN, "Adam", 1, OptimizerOps::adam, OptimizerOps::sameAsStateInputs));
  }

  /** Output i has the type of input 2 + i (the outputs mirror the state inputs in order). */
  private static List<Type> sameAsStateInputs(InferenceContext ctx) {
    List<Type> out = new ArrayList<>();
    for (int i = 0; i < ctx.outputCount(); i++) {
      out.add(ctx.inputType(2 + i));
    }
    return out;
  }

  private static double scalar(Object t) {
    return Casts.toDoubles((Tensor) t)[0];
  }

  private static double[] d(Object t) {
    return Casts.toDoubles((Tensor) t);
  }

  private static Tensor like(Object t, double[] v) {
    Tensor ref = (Tensor) t;
    return Casts.fromDoubles(ref.dtype(), ref.dims(), v);
  }

  private static Kernel adagrad(NodeContext ctx) {
    double decay = ctx.attrFloat("decay_factor", 0f);
    double epsilon = ctx.attrFloat("epsilon", 1e-6f);
    double norm = ctx.attrFloat("norm_coefficient", 0f);
    return (in, rc) -> {
      int n = (in.length - 2) / 3;
      double rate = scalar(in[0]) / (1 + scalar(in[1]) * decay);
      Object[] out = new Object[2 * n];
      for (int w = 0; w < n; w++) {
        double[] x = d(in[2 + w]);
        double[] g = d(in[2 + n + w]);
        double[] h = d(in[2 + 2 * n + w]);
        double[] xNew = new double[x.length];
        double[] hNew = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          double gr = norm * x[i] + g[i];
          hNew[i] = h[i] + gr * gr;
          xNew[i] = x[i] - rate * gr / (Math.sqrt(hNew[i]) + epsilon);
        }
        out[w] = like(in[2 + w], xNew);
        out[n + w] = like(in[2 + 2 * n + w], hNew);
      }
      return out;
    };
  }

  private static Kernel momentum(NodeContext ctx) {
    double alpha = ctx.attrFloat("alpha", 0f);
    double beta = ctx.attrFloat("beta", 0f);
    double norm = ctx.attrFloat("norm_coefficient", 0f);
    boolean nesterov = ctx.attrString("mode", "standard").equals("nesterov");
    return (in, rc) -> {
      int n = (in.length - 2) / 3;
      double rate = scalar(in[0]);
      double betaAdjusted = scalar(in[1]) > 0 ? beta : 1;
      Object[] out = new Object[2 * n];
      for (int w = 0; w < n; w++) {
        double[] x = d(in[2 + w]);
        double[] g = d(in[2 + n + w]);
        double[] v = d(in[2 + 2 * n + w]);
        double[] xNew = new double[x.length];
        double[] vNew = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          double gr = norm * x[i] + g[i];
          vNew[i] = alpha * v[i] + betaAdjusted * gr;
          xNew[i] = x[i] - rate * (nesterov ? gr + alpha * vNew[i] : vNew[i]);
        }
        out[w] = like(in[2 + w], xNew);
        out[n + w] = like(in[2 + 2 * n + w], vNew);
      }
      return out;
    };
  }

  private static Kernel adam(NodeContext ctx) {
    double alpha = ctx.attrFloat("alpha", 0.9f);
    double beta = ctx.attrFloat("beta", 0.999f);
    double epsilon = ctx.attrFloat("epsilon", 1e-6f);
    double norm = ctx.attrFloat("norm_coefficient", 0f);
    double normPost = ctx.attrFloat("norm_coefficient_post", 0f);
    return (in, rc) -> {
      int n = (in.length - 2) / 4;
      double t = scalar(in[1]);
      double rate = scalar(in[0]);
      if (t > 0) {
        rate = rate * Math.sqrt(1 - Math.pow(beta, t)) / (1 - Math.pow(alpha, t));
      }
      Object[] out = new Object[3 * n];
      for (int w = 0; w < n; w++) {
        double[] x = d(in[2 + w]);
        double[] g = d(in[2 + n + w]);
        double[] v = d(in[2 + 2 * n + w]);
        double[] h = d(in[2 + 3 * n + w]);
        double[] xNew = new double[x.length];
        double[] vNew = new double[x.length];
        double[] hNew = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          double gr = norm * x[i] + g[i];
          vNew[i] = alpha * v[i] + (1 - alpha) * gr;
          hNew[i] = beta * h[i] + (1 - beta) * gr * gr;
          xNew[i] = (1 - normPost) * (x[i] - rate * vNew[i] / (Math.sqrt(hNew[i]) + epsilon));
        }
        out[w] = like(in[2 + w], xNew);
        out[n + w] = like(in[2 + 2 * n + w], vNew);
        out[2 * n + w] = like(in[2 + 3 * n + w], hNew);
      }
      return out;
    };
  }
}
