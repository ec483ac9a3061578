package dev.whittle.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM with the Vector API. B is packed into panels two vectors wide; a 4×2-vector register tile
 * of C accumulates with fused multiply-adds over blocks of k that keep the panel in cache; tail rows
 * use a one-row kernel. The tiles store whole vectors only: a last, narrower panel is computed into
 * a scratch tile and its columns added to C by scalar code. That keeps each tile method small
 * enough for C2 to inline every vector operation in it; with a masked store as a helper, C2 at
 * times compiled the tile with the helper as a call, boxing the accumulators on every tile, and
 * MiniLM's MatMuls at 16 tokens ran 5× slower than at full speed. Only loaded when the
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
    // the narrower last panel's tiles go to this scratch tile (zeroed, so it receives alpha * A·B)
    float[] edge = n % NR == 0 ? null : new float[MR * NR];
    for (int p0 = 0; p0 < k; p0 += KC) {
      int p1 = Math.min(k, p0 + KC);
      for (int panel = 0; panel < panels; panel++) {
        int j0 = panel * NR;
        int cols = Math.min(NR, n - j0);
        int bBase = panel * k * NR;
        int i = 0;
        for (; i + MR <= m; i += MR) {
          if (cols == NR) {
            tile4(a, aOff + i * aStepI, aStepI, aStepP, b.data, bBase, p0, p1, alpha, c, cOff + i * ldc + j0, ldc);
          } else {
            Arrays.fill(edge, 0f);
            tile4(a, aOff + i * aStepI, aStepI, aStepP, b.data, bBase, p0, p1, alpha, edge, 0, NR);
            addEdge(edge, MR, cols, c, cOff + i * ldc + j0, ldc);
          }
        }
        for (; i < m; i++) {
          if (cols == NR) {
            tile1(a, aOff + i * aStepI, aStepP, b.data, bBase, p0, p1, alpha, c, cOff + i * ldc + j0);
          } else {
            Arrays.fill(edge, 0, NR, 0f);
            tile1(a, aOff + i * aStepI, aStepP, b.data, bBase, p0, p1, alpha, edge, 0);
            addEdge(edge, 1, cols, c, cOff + i * ldc + j0, ldc);
          }
        }
      }
    }
  }

  /** C[r, 0..cols) += edge[r, 0..cols) for the first {@code rows} rows of a scratch tile. */
  private static void addEdge(float[] edge, int rows, int cols, float[] c, int c0, int ldc) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        c[c0 + r * ldc + j] += edge[r * NR + j];
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

  /** C[4 rows, NR columns] += alpha * A·B over p0..p1, whole vectors only. */
  private static void tile4(float[] a, int a0, int stepI, int stepP, float[] bd, int bBase, int p0, int p1, float alpha,
      float[] c, int c0, int ldc) {
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
    // written out, not through a helper taking vectors (see the class comment)
    FloatVector.fromArray(S, c, c0).add(c00.mul(alpha)).intoArray(c, c0);
    FloatVector.fromArray(S, c, c0 + V).add(c01.mul(alpha)).intoArray(c, c0 + V);
    int r1 = c0 + ldc;
    FloatVector.fromArray(S, c, r1).add(c10.mul(alpha)).intoArray(c, r1);
    FloatVector.fromArray(S, c, r1 + V).add(c11.mul(alpha)).intoArray(c, r1 + V);
    int r2 = c0 + 2 * ldc;
    FloatVector.fromArray(S, c, r2).add(c20.mul(alpha)).intoArray(c, r2);
    FloatVector.fromArray(S, c, r2 + V).add(c21.mul(alpha)).intoArray(c, r2 + V);
    int r3 = c0 + 3 * ldc;
    FloatVector.fromArray(S, c, r3).add(c30.mul(alpha)).intoArray(c, r3);
    FloatVector.fromArray(S, c, r3 + V).add(c31.mul(alpha)).intoArray(c, r3 + V);
  }

  /** C[1 row, NR columns] += alpha * A·B over p0..p1, whole vectors only. */
  private static void tile1(float[] a, int a0, int stepP, float[] bd, int bBase, int p0, int p1, float alpha,
      float[] c, int c0) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int bIdx = bBase + p0 * NR;
    int ai = a0 + p0 * stepP;
    for (int p = p0; p < p1; p++, bIdx += NR, ai += stepP) {
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      acc0 = x.fma(FloatVector.fromArray(S, bd, bIdx), acc0);
      acc1 = x.fma(FloatVector.fromArray(S, bd, bIdx + V), acc1);
    }
    FloatVector.fromArray(S, c, c0).add(acc0.mul(alpha)).intoArray(c, c0);
    FloatVector.fromArray(S, c, c0 + V).add(acc1.mul(alpha)).intoArray(c, c0 + V);
  }
}
