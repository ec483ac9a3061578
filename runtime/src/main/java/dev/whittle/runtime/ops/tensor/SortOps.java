package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TopK and Unique. Ties keep the lower index first, as the spec's reference does. */
public final class SortOps {
  private SortOps() {}

  public static void register(OpRegistry r) {
    r.register("TopK", ctx -> {
      long axis = ctx.attrInt("axis", -1);
      boolean largest = ctx.attrInt("largest", 1) != 0;
      long attrK = ctx.attrInt("k", -1);
      return (in, rc) -> {
        long k = ctx.opset() < 10 ? attrK : Casts.toLongs((Tensor) in[1])[0];
        return topK((Tensor) in[0], (int) k, axis, largest);
      };
    }, ctx -> List.of(new Type.TensorType(Inference.elementType(ctx.inputType(0)), Shape.unknownRank()),
        new Type.TensorType(DType.INT64, Shape.unknownRank())));
    r.register("Unique", ctx -> {
      boolean sorted = ctx.attrInt("sorted", 1) != 0;
      Long axis = ctx.hasAttr("axis") ? ctx.attrInt("axis", 0) : null;
      return (in, rc) -> unique((Tensor) in[0], sorted, axis);
    }, ctx -> {
      Type oneD = new Type.TensorType(DType.INT64, Shape.of(List.of(dev.whittle.ir.Dim.unknown())));
      return List.of(new Type.TensorType(Inference.elementType(ctx.inputType(0)), Shape.unknownRank()), oneD, oneD, oneD);
    });
  }

  static Object[] topK(Tensor x, int k, long axisAttr, boolean largest) {
    long[] d = x.dims();
    int axis = Shapes.axis(axisAttr, d.length);
    int len = (int) d[axis];
    int inner = Shapes.innerSize(d, axis);
    int outer = (int) x.elementCount() / Math.max(1, len * inner);
    double[] v = Casts.toDoubles(x);
    long[] outDims = d.clone();
    outDims[axis] = k;
    int[] src = new int[outer * k * inner];
    long[] indices = new long[src.length];
    Integer[] order = new Integer[len];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        for (int t = 0; t < len; t++) {
          order[t] = t;
        }
        Comparator<Integer> byValue = Comparator.comparingDouble(t -> v[base + t * inner]);
        Arrays.sort(order, (largest ? byValue.reversed() : byValue).thenComparingInt(t -> t));
        for (int t = 0; t < k; t++) {
          int pos = (o * k + t) * inner + i;
          src[pos] = base + order[t] * inner;
          indices[pos] = order[t];
        }
      }
    }
    return new Object[] {Elements.select(x, src, outDims), Tensor.wrapLongs(outDims, indices)};
  }

  /** Unique over flattened elements or along an axis (slices compared whole). */
  static Object[] unique(Tensor x, boolean sorted, Long axisAttr) {
    long[] d = x.dims();
    int axis = axisAttr == null ? -1 : Shapes.axis(axisAttr, d.length);
    Tensor moved = axis < 0 ? x.reshaped(new long[] {x.elementCount(), 1}) : moveAxisFirst(x, axis);
    long[] md = moved.dims();
    int count = (int) md[0];
    int slice = (int) (moved.elementCount() / Math.max(1, count));
    double[] v = Casts.toDoubles(moved);
    Map<List<Double>, Integer> firstIndex = new LinkedHashMap<>();
    int[] inverse = new int[count];
    List<Integer> firsts = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<Double> key = new ArrayList<>(slice);
      for (int j = 0; j < slice; j++) {
        key.add(v[i * slice + j]);
      }
      Integer u = firstIndex.get(key);
      if (u == null) {
        u = firsts.size();
        firstIndex.put(key, u);
        firsts.add(i);
        counts.add(0L);
      }
      inverse[i] = u;
      counts.set(u, counts.get(u) + 1);
    }
    Integer[] order = new Integer[firsts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (sorted) {
      Arrays.sort(order, (a, b) -> {
        int fa = firsts.get(a);
        int fb = firsts.get(b);
        for (int j = 0; j < slice; j++) {
          int c = Double.compare(v[fa * slice + j], v[fb * slice + j]);
          if (c != 0) {
            return c;
          }
        }
        return 0;
      });
    }
    int[] rank = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      rank[order[i]] = i;
    }
    int u = order.length;
    int[] src = new int[u * slice];
    long[] indices = new long[u];
    long[] outCounts = new long[u];
    for (int i = 0; i < u; i++) {
      int f = firsts.get(order[i]);
      for (int j = 0; j < slice; j++) {
        src[i * slice + j] = f * slice + j;
      }
      indices[i] = f;
      outCounts[i] = counts.get(order[i]);
    }
    long[] inv = new long[count];
    for (int i = 0; i < count; i++) {
      inv[i] = rank[inverse[i]];
    }
    long[] yDims = md.clone();
    yDims[0] = u;
    Tensor y = Elements.select(moved, src, yDims);
    if (axis < 0) {
      y = y.reshaped(new long[] {u});
    } else {
      y = moveFirstAxisTo(y, axis);
    }
    return new Object[] {y, Tensor.wrapLongs(new long[] {u}, indices), Tensor.wrapLongs(new long[] {count}, inv),
        Tensor.wrapLongs(new long[] {u}, outCounts)};
  }

  private static Tensor moveAxisFirst(Tensor x, int axis) {
    long[] perm = new long[x.rank()];
    perm[0] = axis;
    for (int i = 0, j = 1; i < x.rank(); i++) {
      if (i != axis) {
        perm[j++] = i;
      }
    }
    return LayoutOps.transpose(x, perm);
  }

  private static Tensor moveFirstAxisTo(Tensor x, int axis) {
    long[] perm = new long[x.rank()];
    for (int i = 0, j = 1; i < x.rank(); i++) {
      perm[i] = i == axis ? 0 : j++;
    }
    return LayoutOps.transpose(x, perm);
  }
}
