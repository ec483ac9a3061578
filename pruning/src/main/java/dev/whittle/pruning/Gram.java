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

  private final int kx;
  private final int ky;
  private final int dimX;
  private final int dimY;
  private final double[][] sum;
  private final float[] xs;
  private final float[] ys;
  private final float[] product;
  private int rows;
  private long total;

  Gram(int k, boolean withBias) {
    this(k, k, withBias);
  }

  /** XᵀY for rows x of length {@code kx} and y of length {@code ky}. */
  Gram(int kx, int ky, boolean withBias) {
    this.kx = kx;
    this.ky = ky;
    this.dimX = kx + (withBias ? 1 : 0);
    this.dimY = ky + (withBias ? 1 : 0);
    this.sum = new double[dimX][dimY];
    this.xs = new float[CHUNK * dimX];
    this.ys = new float[CHUNK * dimY];
    this.product = new float[dimX * dimY];
  }

  /** Adds the pair (x, y). */
  void add(float[] x, float[] y) {
    System.arraycopy(x, 0, xs, rows * dimX, kx);
    System.arraycopy(y, 0, ys, rows * dimY, ky);
    if (dimX > kx) {
      xs[rows * dimX + kx] = 1;
      ys[rows * dimY + ky] = 1;
    }
    if (++rows == CHUNK) {
      flush();
    }
  }

  /** Rows added so far. */
  long rows() {
    return total + rows;
  }

  /** The sum XᵀY, (kx [+1]) × (ky [+1]). */
  double[][] result() {
    flush();
    return sum;
  }

  private void flush() {
    if (rows == 0) {
      return;
    }
    Sgemm gemm = Kernels.sgemm();
    gemm.multiply(dimX, dimY, rows, 1f, xs, 0, dimX, true, ys, 0, dimY, false, 0f, product, 0, dimY);
    for (int i = 0; i < dimX; i++) {
      double[] si = sum[i];
      int base = i * dimY;
      for (int j = 0; j < dimY; j++) {
        si[j] += product[base + j];
      }
    }
    total += rows;
    rows = 0;
  }
}
