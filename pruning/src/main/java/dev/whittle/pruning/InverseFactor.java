package dev.whittle.pruning;

import dev.whittle.ir.WhittleException;

/**
 * The upper-triangular U with UᵀU = H⁻¹ for a symmetric positive definite H, which is what the
 * optimal-brain-surgeon sweep needs: after the first i inputs are fixed, the inverse Hessian of the
 * remaining problem has diagonal U[j][j]² and the error of fixing input i spreads along U[i][i..].
 *
 * <p>With J the reversal permutation and JHJ = MMᵀ (Cholesky, M lower), H⁻¹ = J M⁻ᵀ M⁻¹ J = UᵀU for
 * U = J M⁻¹ J, which is upper triangular: one Cholesky factorisation and one triangular inverse, no
 * explicit H⁻¹.
 */
final class InverseFactor {
  private InverseFactor() {}

  /** U for {@code h} (n×n, row-major rows; not modified), or an error when h is not positive definite. */
  static double[][] of(double[][] h) {
    int n = h.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = new double[i + 1];
      for (int j = 0; j <= i; j++) {
        m[i][j] = h[n - 1 - i][n - 1 - j];
      }
    }
    cholesky(m);
    double[][] inv = lowerInverse(m);
    double[][] u = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        u[n - 1 - i][n - 1 - j] = inv[i][j];
      }
    }
    return u;
  }

  /** In place: the lower triangle (rows of length i+1) becomes L with A = LLᵀ. */
  private static void cholesky(double[][] a) {
    int n = a.length;
    for (int i = 0; i < n; i++) {
      double[] ai = a[i];
      for (int j = 0; j <= i; j++) {
        double[] aj = a[j];
        double s = ai[j];
        for (int k = 0; k < j; k++) {
          s -= ai[k] * aj[k];
        }
        if (i == j) {
          if (!(s > 0)) {
            throw WhittleException.builder("the layer's input Gram matrix is not positive definite after damping")
                .expected("positive pivots").found("pivot " + s + " at input " + (n - 1 - i)).build();
          }
          ai[i] = Math.sqrt(s);
        } else {
          ai[j] = s / aj[j];
        }
      }
    }
  }

  /** L⁻¹ of a lower-triangular L (rows of length i+1), row by row: row i = (eᵢ − Σ_{k<i} L[i][k]·row k) / L[i][i]. */
  private static double[][] lowerInverse(double[][] l) {
    int n = l.length;
    double[][] x = new double[n][];
    for (int i = 0; i < n; i++) {
      double[] xi = new double[i + 1];
      double[] li = l[i];
      for (int k = 0; k < i; k++) {
        double f = li[k];
        if (f == 0) {
          continue;
        }
        double[] xk = x[k];
        for (int j = 0; j <= k; j++) {
          xi[j] -= f * xk[j];
        }
      }
      xi[i] += 1;
      double d = li[i];
      for (int j = 0; j <= i; j++) {
        xi[j] /= d;
      }
      x[i] = xi;
    }
    return x;
  }
}
