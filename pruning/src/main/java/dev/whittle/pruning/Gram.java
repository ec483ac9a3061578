package dev.whittle.pruning;

import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.Sgemm;

/**
 * XᵀY over a stream of row pairs (x from one model, y from another, or the same rows), each row
 * augmented by a trailing constant 1 when the layer has a bias. Rows are buffered in chunks and
 * multiplied with the SIMD SGEMM; chunk products are summed in double, so rounding stays that of a
 * {@value #CHUNK}-term float sum however many rows come.
 */
final class Gram {
  static final int CHUNK = 256;

  private final int k;
  private final int dim;
  private final double[][] sum;
  private final float[] xs;
  private final float[] ys;
  private final float[] product;
  private int rows;
  private long total;

  Gram(int k, boolean withBias) {
    this.k = k;
    this.dim = k + (withBias ? 1 : 0);
    this.sum = new double[dim][dim];
    this.xs = new float[CHUNK * dim];
    this.ys = new float[CHUNK * dim];
    this.product = new float[dim * dim];
  }

  /** Adds the pair (x, y); both of length K. */
  void add(float[] x, float[] y) {
    System.arraycopy(x, 0, xs, rows * dim, k);
    System.arraycopy(y, 0, ys, rows * dim, k);
    if (dim > k) {
      xs[rows * dim + k] = 1;
      ys[rows * dim + k] = 1;
    }
    if (++rows == CHUNK) {
      flush();
    }
  }

  /** Rows added so far. */
  long rows() {
    return total + rows;
  }

  /** The sum XᵀY, dim×dim (dim = K, plus 1 with a bias). */
  double[][] result() {
    flush();
    return sum;
  }

  private void flush() {
    if (rows == 0) {
      return;
    }
    Sgemm gemm = Kernels.sgemm();
    gemm.multiply(dim, dim, rows, 1f, xs, 0, dim, true, ys, 0, dim, false, 0f, product, 0, dim);
    for (int i = 0; i < dim; i++) {
      double[] si = sum[i];
      int base = i * dim;
      for (int j = 0; j < dim; j++) {
        si[j] += product[base + j];
      }
    }
    total += rows;
    rows = 0;
  }
}
