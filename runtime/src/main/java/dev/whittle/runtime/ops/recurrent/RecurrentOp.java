package dev.whittle.runtime.ops.recurrent;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * RNN, GRU and LSTM: one driver (directions, layouts, sequence lengths, initial states, outputs)
 * around a per-cell step. Computed in double, returned in the input's type.
 */
public final class RecurrentOp {
  private RecurrentOp() {}

  public enum Cell {
    RNN(1, new String[] {"Tanh"}),
    GRU(3, new String[] {"Sigmoid", "Tanh"}),
    LSTM(4, new String[] {"Sigmoid", "Tanh", "Tanh"});

    final int gates;
    final String[] defaults;

    Cell(int gates, String[] defaults) {
      this.gates = gates;
      this.defaults = defaults;
    }
  }

  /** Per-direction weights and settings for one step of a cell. */
  private record Params(double[] w, double[] r, double[] wb, double[] rb, double[] p, int input, int hidden,
      DoubleUnaryOperator[] f, double clip, boolean linearBeforeReset, boolean inputForget) {}

  public static Kernel create(NodeContext ctx, Cell cell) {
    int hidden = (int) ctx.requireAttr("hidden_size").i();
    String direction = ctx.attrString("direction", "forward");
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    int layout = (int) ctx.attrInt("layout", 0);
    double clip = ctx.hasAttr("clip") ? ctx.attrFloat("clip", 0f) : Double.POSITIVE_INFINITY;
    boolean lbr = ctx.attrInt("linear_before_reset", 0) != 0;
    boolean inputForget = ctx.attrInt("input_forget", 0) != 0;
    List<String> names = ctx.attrStrings("activations", null);
    float[] alphas = ctx.attrFloats("activation_alpha", new float[0]);
    float[] betas = ctx.attrFloats("activation_beta", new float[0]);
    int per = cell.defaults.length;
    DoubleUnaryOperator[][] acts = new DoubleUnaryOperator[dirs][per];
    for (int d = 0; d < dirs; d++) {
      for (int j = 0; j < per; j++) {
        int idx = d * per + j;
        String name = names == null ? cell.defaults[j] : names.get(idx);
        float a = idx < alphas.length ? alphas[idx] : Activations.defaultAlpha(name);
        float b = idx < betas.length ? betas[idx] : Activations.defaultBeta(name);
        acts[d][j] = Activations.of(name, a, b);
      }
    }
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      double[] xv = Casts.toDoubles(x);
      double[] w = Casts.toDoubles((Tensor) in[1]);
      double[] r = Casts.toDoubles((Tensor) in[2]);
      double[] b = opt(in, 3) == null ? null : Casts.toDoubles(opt(in, 3));
      long[] lens = opt(in, 4) == null ? null : Casts.toLongs(opt(in, 4));
      Tensor h0 = opt(in, 5);
      Tensor c0 = cell == Cell.LSTM ? opt(in, 6) : null;
      double[] p = cell == Cell.LSTM && opt(in, 7) != null ? Casts.toDoubles(opt(in, 7)) : null;
      int seq = (int) (layout == 0 ? x.dim(0) : x.dim(1));
      int batch = (int) (layout == 0 ? x.dim(1) : x.dim(0));
      int input = (int) x.dim(2);
      int g = cell.gates;
      double[] y = new double[seq * dirs * batch * hidden];
      double[] yh = new double[dirs * batch * hidden];
      double[] yc = new double[dirs * batch * hidden];
      double[] h0v = h0 == null ? null : Casts.toDoubles(h0);
      double[] c0v = c0 == null ? null : Casts.toDoubles(c0);
      for (int d = 0; d < dirs; d++) {
        boolean reverse = direction.equals("reverse") || d == 1;
        Params params = new Params(slice(w, d, g * hidden * input), slice(r, d, g * hidden * hidden),
            b == null ? new double[g * hidden] : slice(b, d * 2, g * hidden),
            b == null ? new double[g * hidden] : slice(b, d * 2 + 1, g * hidden),
            p == null ? null : slice(p, d, 3 * hidden), input, hidden, acts[d], clip, lbr, inputForget);
        for (int bi = 0; bi < batch; bi++) {
          double[] h = new double[hidden];
          double[] c = new double[hidden];
          int stateOff = layout == 0 ? (d * batch + bi) * hidden : (bi * dirs + d) * hidden;
          if (h0v != null) {
            System.arraycopy(h0v, stateOff, h, 0, hidden);
          }
          if (c0v != null) {
            System.arraycopy(c0v, stateOff, c, 0, hidden);
          }
          int len = lens == null ? seq : (int) lens[bi];
          for (int s = 0; s < len; s++) {
            int t = reverse ? len - 1 - s : s;
            int xOff = layout == 0 ? (t * batch + bi) * input : (bi * seq + t) * input;
            step(cell, params, xv, xOff, h, c);
            int yOff = layout == 0 ? ((t * dirs + d) * batch + bi) * hidden : ((bi * seq + t) * dirs + d) * hidden;
            System.arraycopy(h, 0, y, yOff, hidden);
          }
          System.arraycopy(h, 0, yh, stateOff, hidden);
          System.arraycopy(c, 0, yc, stateOff, hidden);
        }
      }
      long[] yDims = layout == 0 ? new long[] {seq, dirs, batch, hidden} : new long[] {batch, seq, dirs, hidden};
      long[] sDims = layout == 0 ? new long[] {dirs, batch, hidden} : new long[] {batch, dirs, hidden};
      List<Object> out = new ArrayList<>();
      out.add(Casts.fromDoubles(x.dtype(), yDims, y));
      out.add(Casts.fromDoubles(x.dtype(), sDims, yh));
      if (cell == Cell.LSTM) {
        out.add(Casts.fromDoubles(x.dtype(), sDims, yc));
      }
      return out.toArray();
    };
  }

  private static Tensor opt(Object[] in, int i) {
    return i < in.length ? (Tensor) in[i] : null;
  }

  private static double[] slice(double[] a, int index, int size) {
    double[] out = new double[size];
    System.arraycopy(a, index * size, out, 0, size);
    return out;
  }

  /** gates[k] = W[k]·x + R[k]·h + Wb[k] + Rb[k] for the gate block k (rows k*hidden..). */
  private static double[] gates(Params p, double[] x, int xOff, double[] h, int gates, boolean withRecurrence) {
    int hs = p.hidden;
    double[] out = new double[gates * hs];
    for (int row = 0; row < gates * hs; row++) {
      double s = p.wb[row];
      int wOff = row * p.input;
      for (int i = 0; i < p.input; i++) {
        s += p.w[wOff + i] * x[xOff + i];
      }
      if (withRecurrence) {
        s += p.rb[row];
        int rOff = row * hs;
        for (int i = 0; i < hs; i++) {
          s += p.r[rOff + i] * h[i];
        }
      }
      out[row] = s;
    }
    return out;
  }

  private static double clip(double v, double c) {
    return Math.max(-c, Math.min(c, v));
  }

  private static void step(Cell cell, Params p, double[] x, int xOff, double[] h, double[] c) {
    int hs = p.hidden;
    switch (cell) {
      case RNN -> {
        double[] a = gates(p, x, xOff, h, 1, true);
        for (int i = 0; i < hs; i++) {
          h[i] = p.f[0].applyAsDouble(clip(a[i], p.clip));
        }
      }
      case GRU -> {
        // Gate blocks z, r, h. The h block's recurrence depends on linear_before_reset.
        double[] a = gates(p, x, xOff, h, 3, false);
        double[] rz = new double[2 * hs];
        for (int row = 0; row < 2 * hs; row++) {
          double s = p.rb[row];
          for (int i = 0; i < hs; i++) {
            s += p.r[row * hs + i] * h[i];
          }
          rz[row] = s;
        }
        double[] z = new double[hs];
        double[] rg = new double[hs];
        for (int i = 0; i < hs; i++) {
          z[i] = p.f[0].applyAsDouble(clip(a[i] + rz[i], p.clip));
          rg[i] = p.f[0].applyAsDouble(clip(a[hs + i] + rz[hs + i], p.clip));
        }
        double[] hNew = new double[hs];
        for (int i = 0; i < hs; i++) {
          int row = 2 * hs + i;
          double rec = 0;
          if (p.linearBeforeReset) {
            double s = p.rb[row];
            for (int k = 0; k < hs; k++) {
              s += p.r[row * hs + k] * h[k];
            }
            rec = rg[i] * s;
          } else {
            double s = 0;
            for (int k = 0; k < hs; k++) {
              s += p.r[row * hs + k] * (rg[k] * h[k]);
            }
            rec = s + p.rb[row];
          }
          hNew[i] = p.f[1].applyAsDouble(clip(a[row] + rec, p.clip));
        }
        for (int i = 0; i < hs; i++) {
          h[i] = (1 - z[i]) * hNew[i] + z[i] * h[i];
        }
      }
      case LSTM -> {
        double[] a = gates(p, x, xOff, h, 4, true); // blocks i, o, f, c
        double[] cNew = new double[hs];
        for (int k = 0; k < hs; k++) {
          double pi = p.p == null ? 0 : p.p[k];
          double po = p.p == null ? 0 : p.p[hs + k];
          double pf = p.p == null ? 0 : p.p[2 * hs + k];
          double ig = p.f[0].applyAsDouble(clip(a[k] + pi * c[k], p.clip));
          double fg = p.inputForget ? 1 - ig : p.f[0].applyAsDouble(clip(a[2 * hs + k] + pf * c[k], p.clip));
          double cg = p.f[1].applyAsDouble(clip(a[3 * hs + k], p.clip));
          cNew[k] = fg * c[k] + ig * cg;
          double og = p.f[0].applyAsDouble(clip(a[hs + k] + po * cNew[k], p.clip));
          h[k] = og * p.f[2].applyAsDouble(cNew[k]);
        }
        System.arraycopy(cNew, 0, c, 0, hs);
      }
    }
  }

  public static List<Type> infer(InferenceContext ctx, Cell cell) {
    if (!(ctx.inputType(0) instanceof Type.TensorType x) || !x.shape().hasRank() || x.shape().rank() != 3) {
      return java.util.Collections.nCopies(ctx.outputCount(), null);
    }
    int dirs = ctx.attrString("direction", "forward").equals("bidirectional") ? 2 : 1;
    Dim hidden = Dim.of(ctx.attrInt("hidden_size", 0));
    boolean batchFirst = ctx.attrInt("layout", 0) == 1;
    Dim seq = x.shape().dim(batchFirst ? 1 : 0);
    Dim batch = x.shape().dim(batchFirst ? 0 : 1);
    Type y = new Type.TensorType(x.elementType(), Shape.of(batchFirst ? List.of(batch, seq, Dim.of(dirs), hidden)
        : List.of(seq, Dim.of(dirs), batch, hidden)));
    Type state = new Type.TensorType(x.elementType(), Shape.of(batchFirst ? List.of(batch, Dim.of(dirs), hidden)
        : List.of(Dim.of(dirs), batch, hidden)));
    List<Type> out = new ArrayList<>(List.of(y, state));
    if (cell == Cell.LSTM) {
      out.add(state);
    }
    return out;
  }
}
