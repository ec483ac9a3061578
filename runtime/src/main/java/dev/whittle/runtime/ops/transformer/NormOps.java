package dev.whittle.runtime.ops.transformer;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;

/** RMSNormalization, GroupNormalization, LpNormalization, MeanVarianceNormalization, LRN. */
public final class NormOps {
  private NormOps() {}

  public static void register(OpRegistry r) {
    r.register("RMSNormalization", ctx -> {
      long axisAttr = ctx.attrInt("axis", -1);
      double eps = ctx.attrFloat("epsilon", 1e-5f);
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        Tensor scale = (Tensor) in[1];
        long[] d = x.dims();
        int axis = Shapes.axis(axisAttr, d.length);
        int inner = 1;
        for (int i = axis; i < d.length; i++) {
          inner *= (int) d[i];
        }
        double[] v = Casts.toDoubles(x);
        int[] si = Shapes.broadcastIndex(scale.dims(), java.util.Arrays.copyOfRange(d, axis, d.length));
        double[] s = Casts.toDoubles(scale);
        double[] y = new double[v.length];
        for (int o = 0; o < v.length / Math.max(inner, 1); o++) {
          double sq = 0;
          for (int i = 0; i < inner; i++) {
            sq += v[o * inner + i] * v[o * inner + i];
          }
          double inv = 1 / Math.sqrt(sq / inner + eps);
          for (int i = 0; i < inner; i++) {
            y[o * inner + i] = v[o * inner + i] * inv * s[si[i]];
          }
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
      };
    }, Inference::sameAsInput0);
    r.register("GroupNormalization", ctx -> {
      long groups = ctx.requireAttr("num_groups").i();
      double eps = ctx.attrFloat("epsilon", 1e-5f);
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] d = x.dims();
        int n = (int) d[0];
        int c = (int) d[1];
        int spatial = (int) (x.elementCount() / Math.max(1, (long) n * c));
        double[] v = Casts.toDoubles(x);
        double[] scale = Casts.toDoubles((Tensor) in[1]);
        double[] bias = Casts.toDoubles((Tensor) in[2]);
        boolean perGroup = scale.length == groups && groups != c; // opset 18 form: one scale per group
        int cg = c / (int) groups;
        double[] y = new double[v.length];
        for (int b = 0; b < n; b++) {
          for (int g = 0; g < groups; g++) {
            int start = (b * c + g * cg) * spatial;
            int len = cg * spatial;
            double mean = 0;
            for (int i = 0; i < len; i++) {
              mean += v[start + i];
            }
            mean /= len;
            double var = 0;
            for (int i = 0; i < len; i++) {
              var += (v[start + i] - mean) * (v[start + i] - mean);
            }
            var /= len;
            double inv = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < len; i++) {
              int ch = g * cg + i / spatial;
              int p = perGroup ? g : ch;
              y[start + i] = (v[start + i] - mean) * inv * scale[p] + bias[p];
            }
          }
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
      };
    }, Inference::sameAsInput0);
    r.register("LpNormalization", ctx -> {
      long axisAttr = ctx.attrInt("axis", -1);
      long p = ctx.attrInt("p", 2);
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] d = x.dims();
        int axis = Shapes.axis(axisAttr, d.length);
        int len = (int) d[axis];
        int inner = Shapes.innerSize(d, axis);
        int outer = (int) (x.elementCount() / Math.max(1, (long) len * inner));
        double[] v = Casts.toDoubles(x);
        double[] y = new double[v.length];
        for (int o = 0; o < outer; o++) {
          for (int i = 0; i < inner; i++) {
            double norm = 0;
            for (int t = 0; t < len; t++) {
              double a = Math.abs(v[(o * len + t) * inner + i]);
              norm += p == 1 ? a : a * a;
            }
            norm = p == 1 ? norm : Math.sqrt(norm);
            for (int t = 0; t < len; t++) {
              int k = (o * len + t) * inner + i;
              y[k] = v[k] / norm; // a zero norm gives NaN, as in the spec's reference
            }
          }
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
      };
    }, Inference::sameAsInput0);
    r.register("MeanVarianceNormalization", ctx -> {
      long[] axes = ctx.attrInts("axes", new long[] {0, 2, 3});
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] d = x.dims();
        long[] kept = d.clone();
        for (long a : axes) {
          kept[Shapes.axis(a, d.length)] = 1;
        }
        int[] map = Shapes.broadcastIndex(kept, d);
        int groups = Shapes.size(kept);
        double[] v = Casts.toDoubles(x);
        double[] sum = new double[groups];
        double[] sq = new double[groups];
        int count = v.length / Math.max(1, groups);
        for (int i = 0; i < v.length; i++) {
          sum[map[i]] += v[i];
          sq[map[i]] += v[i] * v[i];
        }
        double[] y = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          double mean = sum[map[i]] / count;
          double var = sq[map[i]] / count - mean * mean;
          y[i] = (v[i] - mean) / (Math.sqrt(var) + 1e-9);
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
      };
    }, Inference::sameAsInput0);
    r.register("LRN", ctx -> {
      double alpha = ctx.attrFloat("alpha", 1e-4f);
      double beta = ctx.attrFloat("beta", 0.75f);
      double bias = ctx.attrFloat("bias", 1f);
      int size = (int) ctx.requireAttr("size").i();
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] d = x.dims();
        int n = (int) d[0];
        int c = (int) d[1];
        int spatial = (int) (x.elementCount() / Math.max(1, (long) n * c));
        double[] v = Casts.toDoubles(x);
        double[] y = new double[v.length];
        int lo = (size - 1) / 2;
        int hi = size - 1 - lo;
        for (int b = 0; b < n; b++) {
          for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < spatial; p++) {
              double sq = 0;
              for (int k = Math.max(0, ch - lo); k <= Math.min(c - 1, ch + hi); k++) {
                double val = v[(b * c + k) * spatial + p];
                sq += val * val;
              }
              int idx = (b * c + ch) * spatial + p;
              y[idx] = v[idx] / Math.pow(bias + alpha / size * sq, beta);
            }
          }
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
      };
    }, Inference::sameAsInput0);
  }
}
