package dev.whittle.runtime.ops.math;

import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import java.util.Arrays;

/** Det: determinants of the trailing square matrices, by LU decomposition with partial pivoting. */
public final class LinearAlgebraOps {
  private LinearAlgebraOps() {}

  public static void register(OpRegistry r) {
    r.register("Det", ctx -> (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] d = x.dims();
      int n = (int) d[d.length - 1];
      double[] v = Casts.toDoubles(x);
      int count = v.length / Math.max(1, n * n);
      double[] out = new double[count];
      for (int m = 0; m < count; m++) {
        out[m] = det(Arrays.copyOfRange(v, m * n * n, (m + 1) * n * n), n);
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), Arrays.copyOf(d, d.length - 2), out)};
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.TensorType t && t.shape().hasRank()
        ? new Type.TensorType(t.elementType(), Shape.of(t.shape().dims().subList(0, t.shape().rank() - 2))) : null));
  }

  static double det(double[] a, int n) {
    double det = 1;
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(a[row * n + col]) > Math.abs(a[pivot * n + col])) {
          pivot = row;
        }
      }
      if (a[pivot * n + col] == 0) {
        return 0;
      }
      if (pivot != col) {
        for (int k = 0; k < n; k++) {
          double t = a[col * n + k];
          a[col * n + k] = a[pivot * n + k];
          a[pivot * n + k] = t;
        }
        det = -det;
      }
      double p = a[col * n + col];
      det *= p;
      for (int row = col + 1; row < n; row++) {
        double f = a[row * n + col] / p;
        for (int k = col; k < n; k++) {
          a[row * n + k] -= f * a[col * n + k];
        }
      }
    }
    return det;
  }
}
