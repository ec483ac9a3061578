package dev.whittle.runtime.conformance;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.ops.Casts;
import java.util.Arrays;

/**
 * Compares an output with its expected value the way the ONNX backend test runner does:
 * same element type and shape, then |actual - expected| <= atol + rtol * |expected| elementwise,
 * NaN matching NaN; integers, bools and strings exactly.
 */
public final class OutputComparison {
  /** The ONNX backend suite's default tolerances. */
  public static final double DEFAULT_RTOL = 1e-3;
  public static final double DEFAULT_ATOL = 1e-7;

  private OutputComparison() {}

  /** Null when they match, otherwise a one-line description of the first difference. */
  public static String compare(Tensor expected, Tensor actual, double rtol, double atol) {
    if (expected.dtype() != actual.dtype()) {
      return "element type " + actual.dtype().displayName() + ", expected " + expected.dtype().displayName();
    }
    if (!Arrays.equals(expected.dims(), actual.dims())) {
      return "shape " + Shape.format(actual.dims()) + ", expected " + Shape.format(expected.dims());
    }
    DType dt = expected.dtype();
    if (dt == DType.STRING) {
      var e = expected.strings();
      var a = actual.strings();
      for (int i = 0; i < e.size(); i++) {
        if (!Arrays.equals(e.get(i), a.get(i))) {
          return "string element " + i + " differs";
        }
      }
      return null;
    }
    if (Casts.isIntegerOrBool(dt)) {
      long[] e = Casts.toLongs(expected);
      long[] a = Casts.toLongs(actual);
      for (int i = 0; i < e.length; i++) {
        if (e[i] != a[i]) {
          return "element " + i + " is " + a[i] + ", expected " + e[i];
        }
      }
      return null;
    }
    if (!dt.isFloatingPoint()) {
      return expected.contentEquals(actual) ? null : "raw bytes differ (" + dt.displayName() + ")";
    }
    double[] e = Casts.toDoubles(expected);
    double[] a = Casts.toDoubles(actual);
    int bad = 0;
    int first = -1;
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      boolean ok;
      if (Double.isNaN(e[i]) || Double.isNaN(a[i])) {
        ok = Double.isNaN(e[i]) && Double.isNaN(a[i]);
      } else if (Double.isInfinite(e[i]) || Double.isInfinite(a[i])) {
        ok = e[i] == a[i];
      } else {
        double diff = Math.abs(a[i] - e[i]);
        ok = diff <= atol + rtol * Math.abs(e[i]);
        worst = Math.max(worst, diff);
      }
      if (!ok) {
        bad++;
        if (first < 0) {
          first = i;
        }
      }
    }
    if (bad == 0) {
      return null;
    }
    return bad + " of " + e.length + " elements differ; first at " + first + ": " + a[first] + " vs expected "
        + e[first] + " (max abs diff " + worst + ")";
  }
}
