package dev.whittle.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM with the Vector API. B is packed into panels two vectors wide; a 4×2-vector register tile
 * of C accumulates with fused multiply-adds over blocks of k that keep the panel in cache; tail
 * columns use masked loads and stores, tail rows a one-row kernel. Only loaded when the
 * {@code jdk.incubator.vector} module is present (see {@link Kernels}).
 */
final class VectorSgemm implements Sgemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int V = S.length();
  private static final int NR = 2 * V;
  private static final int MR = 4;
  /** Rows of k per block: a 256 x NR panel slice (16-32 KB) stays in L1/L2. */
  private static final int KC = 256;

  @Override
  public void multiply(int m, int n, int k, float alpha, float[] a, int aOff, int lda, boolean transA,
      float[] b, int bOff, int ldb, boolean transB, float beta, float[] c, int cOff, int ldc) {
    multiplyPacked(m, alpha, a, aOff, lda, transA, pack(k, n, b, bOff, ldb, transB), beta, c, cOff, ldc);
  }

  @Override
  public PackedMatrix pack(int k, int n, float[] b, int bOff, int ldb, boolean transB) {
    return PackedMatrix.pack(k, n, b, bOff, ldb, transB, NR);
  }

  @Override
  public void multiplyPacked(int m, float alpha, float[] a, int aOff, int lda, boolean transA, PackedMatrix b,
      float beta, float[] c, int cOff, int ldc) {
    if (b.panelWidth != NR) {
      throw new IllegalArgumentException("matrix packed for another kernel (panel width " + b.panelWidth + ", need " + NR + ")");
    }
    int n = b.n;
    int k = b.k;
    scale(m, n, beta, c, cOff, ldc);
    // Strides to step through A along p (k) and along i (rows), whatever the storage order.
    int aStepP = transA ? lda : 1;
    int aStepI = transA ? 1 : lda;
    int panels = (n + NR - 1) / NR;
    for (int p0 = 0; p0 < k; p0 += KC) {
      int p1 = Math.min(k, p0 + KC);
      for (int panel = 0; panel < panels; panel++) {
        int j0 = panel * NR;
        int cols = Math.min(NR, n - j0);
        int bBase = panel * k * NR;
        int i = 0;
        for (; i + MR <= m; i += MR) {
          tile4(a, aOff + i * aStepI, aStepI, aStepP, b.data, bBase, p0, p1, alpha, c, cOff + i * ldc + j0, ldc, cols);
        }
        for (; i < m; i++) {
          tile1(a, aOff + i * aStepI, aStepP, b.data, bBase, p0, p1, alpha, c, cOff + i * ldc + j0, cols);
        }
      }
    }
  }

  /** C = beta * C, where beta 0 clears C (ignoring NaNs in it). */
  private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0f ? 0f : beta * c[row + j];
      }
    }
  }

  private static void tile4(float[] a, int a0, int stepI, int stepP, float[] bd, int bBase, int p0, int p1, float alpha,
      float[] c, int c0, int ldc, int cols) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int bIdx = bBase + p0 * NR;
    int ai = a0 + p0 * stepP;
    for (int p = p0; p < p1; p++, bIdx += NR, ai += stepP) {
      FloatVector b0 = FloatVector.fromArray(S, bd, bIdx);
      FloatVector b1 = FloatVector.fromArray(S, bd, bIdx + V);
      FloatVector x0 = FloatVector.broadcast(S, a[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      FloatVector x1 = FloatVector.broadcast(S, a[ai + stepI]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      FloatVector x2 = FloatVector.broadcast(S, a[ai + 2 * stepI]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      FloatVector x3 = FloatVector.broadcast(S, a[ai + 3 * stepI]);
      c30 = x3.fma(b0, c30);
      c31 = x3.fma(b1, c31);
    }
    store(c00, c01, alpha, c, c0, cols);
    store(c10, c11, alpha, c, c0 + ldc, cols);
    store(c20, c21, alpha, c, c0 + 2 * ldc, cols);
    store(c30, c31, alpha, c, c0 + 3 * ldc, cols);
  }

  private static void tile1(float[] a, int a0, int stepP, float[] bd, int bBase, int p0, int p1, float alpha,
      float[] c, int c0, int cols) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int bIdx = bBase + p0 * NR;
    int ai = a0 + p0 * stepP;
    for (int p = p0; p < p1; p++, bIdx += NR, ai += stepP) {
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      acc0 = x.fma(FloatVector.fromArray(S, bd, bIdx), acc0);
      acc1 = x.fma(FloatVector.fromArray(S, bd, bIdx + V), acc1);
    }
    store(acc0, acc1, alpha, c, c0, cols);
  }

  /** C[row, 0..cols) += alpha * (v0 | v1), masked at the right edge. */
  private static void store(FloatVector v0, FloatVector v1, float alpha, float[] c, int off, int cols) {
    if (cols >= NR) {
      FloatVector.fromArray(S, c, off).add(v0.mul(alpha)).intoArray(c, off);
      FloatVector.fromArray(S, c, off + V).add(v1.mul(alpha)).intoArray(c, off + V);
      return;
    }
    VectorMask<Float> m0 = S.indexInRange(0, cols);
    FloatVector.fromArray(S, c, off, m0).add(v0.mul(alpha)).intoArray(c, off, m0);
    if (cols > V) {
      VectorMask<Float> m1 = S.indexInRange(V, cols);
      FloatVector.fromArray(S, c, off + V, m1).add(v1.mul(alpha)).intoArray(c, off + V, m1);
    }
  }
}
