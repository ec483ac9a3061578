package dev.whittle.runtime.ops.transformer;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.Sgemm;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * Attention (opsets 23, 24): scaled dot-product attention over 4-D [batch, heads, seq, head] or
 * 3-D [batch, seq, heads*head] inputs, with past key/value concatenation, grouped-query heads,
 * boolean or additive masks, causal masking, non-padded key lengths, softcap and the optional
 * intermediate QK output.
 */
public final class AttentionOp {
  private AttentionOp() {}

  /** A 4-D view [b, h, s, d] of an input in double precision. */
  private record Heads(double[] v, int b, int h, int s, int d) {}

  private static Heads heads(Tensor t, int numHeads) {
    double[] v = Casts.toDoubles(t);
    long[] dims = t.dims();
    if (dims.length == 4) {
      return new Heads(v, (int) dims[0], (int) dims[1], (int) dims[2], (int) dims[3]);
    }
    int b = (int) dims[0];
    int s = (int) dims[1];
    int d = (int) dims[2] / numHeads;
    double[] out = new double[v.length];
    for (int bi = 0; bi < b; bi++) {
      for (int si = 0; si < s; si++) {
        for (int hi = 0; hi < numHeads; hi++) {
          for (int di = 0; di < d; di++) {
            out[((bi * numHeads + hi) * s + si) * d + di] = v[(bi * s + si) * numHeads * d + hi * d + di];
          }
        }
      }
    }
    return new Heads(out, b, numHeads, s, d);
  }

  private static Heads concatSeq(Heads past, Heads cur) {
    int s = past.s + cur.s;
    double[] out = new double[past.b * past.h * s * past.d];
    for (int bi = 0; bi < past.b; bi++) {
      for (int hi = 0; hi < past.h; hi++) {
        int dst = (bi * past.h + hi) * s * past.d;
        System.arraycopy(past.v, (bi * past.h + hi) * past.s * past.d, out, dst, past.s * past.d);
        System.arraycopy(cur.v, (bi * cur.h + hi) * cur.s * cur.d, out, dst + past.s * past.d, cur.s * cur.d);
      }
    }
    return new Heads(out, past.b, past.h, s, past.d);
  }

  public static Kernel create(NodeContext ctx) {
    boolean causal = ctx.attrInt("is_causal", 0) != 0;
    int qHeads = (int) ctx.attrInt("q_num_heads", 0);
    int kvHeads = (int) ctx.attrInt("kv_num_heads", 0);
    int qkMode = (int) ctx.attrInt("qk_matmul_output_mode", 0);
    Float scaleAttr = ctx.hasAttr("scale") ? ctx.attrFloat("scale", 0f) : null;
    double softcap = ctx.attrFloat("softcap", 0f);
    boolean wantPresentK = ctx.hasOutput(1);
    boolean wantPresentV = ctx.hasOutput(2);
    boolean wantQk = ctx.hasOutput(3);
    return (in, rc) -> {
      Tensor qt = (Tensor) in[0];
      boolean threeD = qt.rank() == 3;
      Heads q = heads(qt, qHeads);
      Heads k = heads((Tensor) in[1], kvHeads);
      Heads v = heads((Tensor) in[2], kvHeads);
      Tensor mask = opt(in, 3);
      Tensor pastK = opt(in, 4);
      Tensor pastV = opt(in, 5);
      Tensor nonPad = opt(in, 6);
      if (pastK != null) {
        k = concatSeq(heads(pastK, kvHeads), k);
        v = concatSeq(heads(pastV, kvHeads), v);
      }
      int b = q.b;
      int hq = q.h;
      int sq = q.s;
      int skv = k.s;
      int groups = hq / k.h;
      double scale = scaleAttr != null ? scaleAttr : 1 / Math.sqrt(q.d);
      double[] bias = maskBias(mask, b, hq, sq, skv);
      long[] lens = nonPad == null ? null : Casts.toLongs(nonPad);
      // the optional outputs (present key/value, the QK product) only when the node names them
      double[] qk = wantQk ? new double[b * hq * sq * skv] : null;
      double[] y = new double[b * hq * sq * v.d];
      double[] row = new double[skv];
      int dq = q.d;
      int dv = v.d;
      // the two products per head in float on the SGEMM (as ONNX Runtime computes them); masking and
      // softmax in double
      float[] qf = floats(q.v);
      float[] kf = floats(k.v);
      float[] vf = floats(v.v);
      float[] scores = new float[sq * skv];
      float[] probs = new float[sq * skv];
      float[] yh = new float[sq * dv];
      Sgemm gemm = Kernels.sgemm();
      for (int bi = 0; bi < b; bi++) {
        for (int hi = 0; hi < hq; hi++) {
          int kh = hi / groups;
          int kBase = (bi * k.h + kh) * k.s * k.d;
          int vBase = (bi * v.h + kh) * v.s * dv;
          int head = (bi * hq + hi) * sq;
          gemm.multiply(sq, skv, dq, (float) scale, qf, head * dq, dq, false, kf, kBase, k.d, true, 0f, scores, 0, skv);
          for (int i = 0; i < sq; i++) {
            int base = (head + i) * skv;
            for (int j = 0; j < skv; j++) {
              double s = scores[i * skv + j];
              double raw = s;
              s += bias == null ? 0 : bias[base + j];
              if (causal && j > i) { // the spec aligns the causal mask top-left (np.tril)
                s = Double.NEGATIVE_INFINITY;
              }
              if (lens != null && j >= lens[bi]) {
                s = Double.NEGATIVE_INFINITY;
              }
              double masked = s;
              if (softcap > 0) {
                s = softcap * Math.tanh(s / softcap);
              }
              row[j] = s;
              if (qk != null) {
                qk[base + j] = switch (qkMode) {
                  case 0 -> raw;
                  case 1 -> masked;
                  default -> s;
                };
              }
            }
            softmax(row);
            if (qk != null && qkMode == 3) {
              System.arraycopy(row, 0, qk, base, skv);
            }
            for (int j = 0; j < skv; j++) {
              probs[i * skv + j] = (float) row[j];
            }
          }
          gemm.multiply(sq, dv, skv, 1f, probs, 0, skv, false, vf, vBase, dv, false, 0f, yh, 0, dv);
          for (int t = 0; t < sq * dv; t++) {
            y[head * dv + t] = yh[t];
          }
        }
      }
      DType dt = qt.dtype();
      Tensor yt;
      if (threeD) {
        double[] y3 = new double[y.length];
        for (int bi = 0; bi < b; bi++) {
          for (int hi = 0; hi < hq; hi++) {
            for (int i = 0; i < sq; i++) {
              System.arraycopy(y, ((bi * hq + hi) * sq + i) * v.d, y3, (bi * sq + i) * hq * v.d + hi * v.d, v.d);
            }
          }
        }
        yt = Casts.fromDoubles(dt, new long[] {b, sq, (long) hq * v.d}, y3);
      } else {
        yt = Casts.fromDoubles(dt, new long[] {b, hq, sq, v.d}, y);
      }
      DType kt = ((Tensor) in[1]).dtype();
      return new Object[] {yt, wantPresentK ? Casts.fromDoubles(kt, new long[] {k.b, k.h, k.s, k.d}, k.v) : null,
          wantPresentV ? Casts.fromDoubles(kt, new long[] {v.b, v.h, v.s, v.d}, v.v) : null,
          qk == null ? null : Casts.fromDoubles(dt, new long[] {b, hq, sq, skv}, qk)};
    };
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static Tensor opt(Object[] in, int i) {
    return i < in.length ? (Tensor) in[i] : null;
  }

  /** The mask as an additive bias broadcast to [b, h, sq, skv]; bool masks become 0 / -inf, short masks pad with -inf. */
  private static double[] maskBias(Tensor mask, int b, int h, int sq, int skv) {
    if (mask == null) {
      return null;
    }
    long[] md = mask.dims();
    double[] m = Casts.toDoubles(mask);
    boolean bool = mask.dtype() == DType.BOOL;
    int maskKv = (int) md[md.length - 1];
    long[] full = {b, h, sq, skv};
    long[] padded = md.clone();
    padded[padded.length - 1] = skv;
    int[] idx = Shapes.broadcastIndex(padded, full);
    int[] mStrides = Shapes.strides(padded);
    double[] out = new double[b * h * sq * skv];
    for (int i = 0; i < out.length; i++) {
      int j = i % skv;
      if (j >= maskKv) {
        out[i] = Double.NEGATIVE_INFINITY;
        continue;
      }
      int p = idx[i];
      int src = p / skv * maskKv + (p % skv);
      double val = m[src];
      out[i] = bool ? (val != 0 ? 0 : Double.NEGATIVE_INFINITY) : val;
    }
    return out;
  }

  private static void softmax(double[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : row) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (int i = 0; i < row.length; i++) {
      row[i] = Math.exp(row[i] - max);
      sum += row[i];
    }
    for (int i = 0; i < row.length; i++) {
      row[i] /= sum;
    }
  }

  public static List<Type> infer(InferenceContext ctx) {
    return Arrays.asList(ctx.inputType(0), null, null, null);
  }
}
