package dev.whittle.runtime.ops.image;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * NonMaxSuppression: per batch and class, boxes above the score threshold in descending score
 * order (ties: lower index first), each kept unless it overlaps an already kept box by more than
 * the IoU threshold, up to max_output_boxes_per_class. Output rows are [batch, class, box].
 */
public final class NonMaxSuppressionOp {
  private NonMaxSuppressionOp() {}

  public static Kernel create(NodeContext ctx) {
    boolean centerPoint = ctx.attrInt("center_point_box", 0) == 1;
    return (in, rc) -> {
      Tensor boxes = (Tensor) in[0];
      Tensor scores = (Tensor) in[1];
      long maxOut = in.length > 2 && in[2] != null ? Casts.toLongs((Tensor) in[2])[0] : 0;
      double iouThreshold = in.length > 3 && in[3] != null ? Casts.toDoubles((Tensor) in[3])[0] : 0;
      Double scoreThreshold = in.length > 4 && in[4] != null ? Casts.toDoubles((Tensor) in[4])[0] : null;
      double[] b = Casts.toDoubles(boxes);
      double[] s = Casts.toDoubles(scores);
      int batches = (int) scores.dim(0);
      int classes = (int) scores.dim(1);
      int n = (int) scores.dim(2);
      List<long[]> selected = new ArrayList<>();
      for (int bi = 0; bi < batches; bi++) {
        for (int c = 0; c < classes; c++) {
          int base = (bi * classes + c) * n;
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (scoreThreshold == null || s[base + i] > scoreThreshold) {
              order.add(i);
            }
          }
          order.sort(Comparator.<Integer>comparingDouble(i -> -s[base + i]).thenComparingInt(i -> i));
          List<Integer> kept = new ArrayList<>();
          for (int i : order) {
            if (kept.size() >= maxOut) {
              break;
            }
            boolean keep = true;
            for (int j : kept) {
              if (iou(b, (bi * n + i) * 4, (bi * n + j) * 4, centerPoint) > iouThreshold) {
                keep = false;
                break;
              }
            }
            if (keep) {
              kept.add(i);
              selected.add(new long[] {bi, c, i});
            }
          }
        }
      }
      long[] out = new long[selected.size() * 3];
      for (int i = 0; i < selected.size(); i++) {
        System.arraycopy(selected.get(i), 0, out, i * 3, 3);
      }
      return new Object[] {Tensor.wrapLongs(new long[] {selected.size(), 3}, out)};
    };
  }

  private static double iou(double[] b, int p, int q, boolean centerPoint) {
    double[] a = corners(b, p, centerPoint);
    double[] c = corners(b, q, centerPoint);
    double w = Math.min(a[2], c[2]) - Math.max(a[0], c[0]);
    double h = Math.min(a[3], c[3]) - Math.max(a[1], c[1]);
    if (w <= 0 || h <= 0) {
      return 0;
    }
    double inter = w * h;
    double union = (a[2] - a[0]) * (a[3] - a[1]) + (c[2] - c[0]) * (c[3] - c[1]) - inter;
    return union <= 0 ? 0 : inter / union;
  }

  /** [x1, y1, x2, y2] with x1 <= x2, from either corner form [y1, x1, y2, x2] or center form [xc, yc, w, h]. */
  private static double[] corners(double[] b, int p, boolean centerPoint) {
    if (centerPoint) {
      return new double[] {b[p] - b[p + 2] / 2, b[p + 1] - b[p + 3] / 2, b[p] + b[p + 2] / 2, b[p + 1] + b[p + 3] / 2};
    }
    return new double[] {Math.min(b[p + 1], b[p + 3]), Math.min(b[p], b[p + 2]), Math.max(b[p + 1], b[p + 3]), Math.max(b[p], b[p + 2])};
  }

  public static List<Type> infer(dev.whittle.runtime.InferenceContext ctx) {
    return List.of(new Type.TensorType(DType.INT64, Shape.of(List.of(Dim.unknown(), Dim.of(3)))));
  }
}
