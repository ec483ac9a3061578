package dev.whittle.cli;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.ops.Casts;

/** One-line summary of a tensor: type, shape, and min/max/mean/std for numbers. */
final class TensorStats {
  private TensorStats() {}

  static String describe(Tensor t) {
    String head = t.dtype().displayName() + Shape.format(t.dims());
    if (t.dtype() == DType.STRING || t.elementCount() == 0 || !(Casts.isIntegerOrBool(t.dtype())
        || Casts.isFloatLike(t.dtype()) || t.dtype() == DType.DOUBLE)) {
      return head;
    }
    double[] v = Casts.toDoubles(t);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (double x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    double mean = sum / v.length;
    double sq = 0;
    for (double x : v) {
      sq += (x - mean) * (x - mean);
    }
    return String.format("%s min %.6g max %.6g mean %.6g std %.6g", head, min, max, mean, Math.sqrt(sq / v.length));
  }
}
