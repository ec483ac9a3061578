package dev.whittle.runtime.ops.reduce;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * The Reduce* family and ArgMax/ArgMin. Axes come from the attribute in older opsets and from the
 * optional second input since the op's opset-13 (ReduceSum) or opset-18 (the others) version.
 * Floats accumulate in double.
 */
public final class ReduceOps {
  private ReduceOps() {}

  /** A reduction: initial value, accumulation step, and final transform given the count. */
  private interface Reducer {
    double init();

    double step(double acc, double x);

    default double finish(double acc, long count) {
      return acc;
    }
  }

  private static Reducer of(double init, java.util.function.DoubleBinaryOperator step) {
    return new Reducer() {
      public double init() {
        return init;
      }

      public double step(double acc, double x) {
        return step.applyAsDouble(acc, x);
      }
    };
  }

  public static void register(OpRegistry r) {
    reduce(r, "ReduceSum", 13, of(0, Double::sum));
    reduce(r, "ReduceMean", 18, new Reducer() {
      public double init() {
        return 0;
      }

      public double step(double acc, double x) {
        return acc + x;
      }

      public double finish(double acc, long count) {
        return acc / count;
      }
    });
    reduce(r, "ReduceMax", 18, of(Double.NEGATIVE_INFINITY, (a, x) -> Double.isNaN(a) || Double.isNaN(x) ? Double.NaN : Math.max(a, x)));
    reduce(r, "ReduceMin", 18, of(Double.POSITIVE_INFINITY, (a, x) -> Double.isNaN(a) || Double.isNaN(x) ? Double.NaN : Math.min(a, x)));
    reduce(r, "ReduceProd", 18, of(1, (a, x) -> a * x));
    reduce(r, "ReduceL1", 18, of(0, (a, x) -> a + Math.abs(x)));
    reduce(r, "ReduceSumSquare", 18, of(0, (a, x) -> a + x * x));
    reduce(r, "ReduceL2", 18, new Reducer() {
      public double init() {
        return 0;
      }

      public double step(double acc, double x) {
        return acc + x * x;
      }

      public double finish(double acc, long count) {
        return Math.sqrt(acc);
      }
    });
    reduce(r, "ReduceLogSum", 18, new Reducer() {
      public double init() {
        return 0;
      }

      public double step(double acc, double x) {
        return acc + x;
      }

      public double finish(double acc, long count) {
        return Math.log(acc);
      }
    });
    r.register("ReduceLogSumExp", ctx -> logSumExp(ctx), ReduceOps::infer);
    r.register("ArgMax", ctx -> arg(ctx, true), ReduceOps::inferArg);
    r.register("ArgMin", ctx -> arg(ctx, false), ReduceOps::inferArg);
  }

  /** Axes, keepdims and noop_with_empty_axes of a reduction node, resolved against the input rank. */
  private record Axes(boolean[] reduced, boolean keepDims, boolean noop) {}

  private static Axes axes(NodeContext ctx, int inputsSince, Object[] in, int rank) {
    long[] axes = ctx.opset() < inputsSince ? ctx.attrInts("axes", null)
        : in.length > 1 && in[1] != null ? Casts.toLongs((Tensor) in[1]) : null;
    boolean noopEmpty = ctx.attrInt("noop_with_empty_axes", 0) != 0;
    boolean[] reduced = new boolean[rank];
    if (axes == null || axes.length == 0) {
      if (noopEmpty) {
        return new Axes(reduced, true, true);
      }
      java.util.Arrays.fill(reduced, true);
    } else {
      for (long a : axes) {
        reduced[Shapes.axis(a, rank)] = true;
      }
    }
    return new Axes(reduced, ctx.attrInt("keepdims", 1) != 0, false);
  }

  private static void reduce(OpRegistry r, String op, int inputsSince, Reducer f) {
    r.register(op, ctx -> (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Axes a = axes(ctx, inputsSince, in, x.rank());
      if (a.noop) {
        return new Object[] {x};
      }
      return new Object[] {apply(x, a, f)};
    }, ReduceOps::infer);
  }

  private static Tensor apply(Tensor x, Axes a, Reducer f) {
    long[] d = x.dims();
    int rank = d.length;
    long[] kept = new long[rank];
    for (int i = 0; i < rank; i++) {
      kept[i] = a.reduced[i] ? 1 : d[i];
    }
    int outN = Shapes.size(kept);
    int[] map = Shapes.broadcastIndex(kept, d); // input element -> output slot (reduced dims collapse)
    double[] v = Casts.toDoubles(x);
    double[] acc = new double[outN];
    long count = outN == 0 ? 0 : v.length / Math.max(1, outN);
    java.util.Arrays.fill(acc, f.init());
    for (int i = 0; i < v.length; i++) {
      acc[map[i]] = f.step(acc[map[i]], v[i]);
    }
    for (int i = 0; i < outN; i++) {
      acc[i] = f.finish(acc[i], count);
    }
    long[] outDims = a.keepDims ? kept : dropReduced(d, a.reduced);
    return Casts.fromDoubles(x.dtype(), outDims, acc);
  }

  private static long[] dropReduced(long[] d, boolean[] reduced) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < d.length; i++) {
      if (!reduced[i]) {
        out.add(d[i]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** log(sum(exp(x))) with the maximum subtracted first, so large inputs do not overflow. */
  private static Kernel logSumExp(NodeContext ctx) {
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Axes a = axes(ctx, 18, in, x.rank());
      if (a.noop) {
        return new Object[] {x};
      }
      Tensor max = apply(x, new Axes(a.reduced, true, false), of(Double.NEGATIVE_INFINITY, Math::max));
      double[] m = Casts.toDoubles(max);
      long[] kept = max.dims();
      int[] map = Shapes.broadcastIndex(kept, x.dims());
      double[] v = Casts.toDoubles(x);
      double[] acc = new double[m.length];
      for (int i = 0; i < v.length; i++) {
        acc[map[i]] += Math.exp(v[i] - (Double.isInfinite(m[map[i]]) ? 0 : m[map[i]]));
      }
      for (int i = 0; i < acc.length; i++) {
        acc[i] = Math.log(acc[i]) + (Double.isInfinite(m[i]) ? 0 : m[i]);
      }
      long[] outDims = a.keepDims ? kept : dropReduced(x.dims(), a.reduced);
      return new Object[] {Casts.fromDoubles(x.dtype(), outDims, acc)};
    };
  }

  private static Kernel arg(NodeContext ctx, boolean max) {
    long axisAttr = ctx.attrInt("axis", 0);
    boolean keep = ctx.attrInt("keepdims", 1) != 0;
    boolean last = ctx.attrInt("select_last_index", 0) != 0;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] d = x.dims();
      int axis = Shapes.axis(axisAttr, d.length);
      int len = (int) d[axis];
      int inner = Shapes.innerSize(d, axis);
      int outer = (int) x.elementCount() / Math.max(1, len * inner);
      double[] v = Casts.toDoubles(x);
      long[] out = new long[outer * inner];
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          int best = 0;
          double bv = v[o * len * inner + i];
          for (int t = 1; t < len; t++) {
            double cur = v[(o * len + t) * inner + i];
            boolean better = max ? (last ? cur >= bv : cur > bv) : (last ? cur <= bv : cur < bv);
            if (better) {
              best = t;
              bv = cur;
            }
          }
          out[o * inner + i] = best;
        }
      }
      long[] outDims = d.clone();
      outDims[axis] = 1;
      if (!keep) {
        boolean[] reduced = new boolean[d.length];
        reduced[axis] = true;
        outDims = dropReduced(d, reduced);
      }
      return new Object[] {Tensor.wrapLongs(outDims, out)};
    };
  }

  private static List<Type> infer(InferenceContext ctx) {
    DType dt = Inference.elementType(ctx.inputType(0));
    if (!(ctx.inputType(0) instanceof Type.TensorType t) || !t.shape().hasRank()) {
      return java.util.Collections.singletonList(dt == null ? null : new Type.TensorType(dt, Shape.unknownRank()));
    }
    int rank = t.shape().rank();
    String op = ctx.node().opType();
    int since = op.equals("ReduceSum") ? 13 : 18;
    long[] axes;
    if (ctx.opset() < since) {
      axes = ctx.attrInts("axes", null);
    } else if (ctx.inputCount() > 1 && ctx.hasInput(1)) {
      Tensor c = ctx.constantInput(1);
      if (c == null) {
        return List.of(new Type.TensorType(dt, Shape.unknownRank()));
      }
      axes = Casts.toLongs(c);
    } else {
      axes = null;
    }
    boolean keep = ctx.attrInt("keepdims", 1) != 0;
    if ((axes == null || axes.length == 0) && ctx.attrInt("noop_with_empty_axes", 0) != 0) {
      return List.of(t);
    }
    boolean[] reduced = new boolean[rank];
    if (axes == null || axes.length == 0) {
      java.util.Arrays.fill(reduced, true);
    } else {
      for (long a : axes) {
        reduced[Shapes.axis(a, rank)] = true;
      }
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      if (!reduced[i]) {
        out.add(t.shape().dim(i));
      } else if (keep) {
        out.add(Dim.of(1));
      }
    }
    return List.of(new Type.TensorType(dt, Shape.of(out)));
  }

  private static List<Type> inferArg(InferenceContext ctx) {
    if (!(ctx.inputType(0) instanceof Type.TensorType t) || !t.shape().hasRank()) {
      return List.of(new Type.TensorType(DType.INT64, Shape.unknownRank()));
    }
    int rank = t.shape().rank();
    int axis = Shapes.axis(ctx.attrInt("axis", 0), rank);
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      if (i != axis) {
        out.add(t.shape().dim(i));
      } else if (ctx.attrInt("keepdims", 1) != 0) {
        out.add(Dim.of(1));
      }
    }
    return List.of(new Type.TensorType(DType.INT64, Shape.of(out)));
  }
}
