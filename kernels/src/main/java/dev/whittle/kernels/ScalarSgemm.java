package dev.whittle.kernels;

/** The reference SGEMM: plain loops, accumulation in float in k order. */
public final class ScalarSgemm implements Sgemm {
  @Override
  public void multiply(int m, int n, int k, float alpha, float[] a, int aOff, int lda, boolean transA,
      float[] b, int bOff, int ldb, boolean transB, float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += av * bv;
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
      }
    }
  }

  @Override
  public PackedMatrix pack(int k, int n, float[] b, int bOff, int ldb, boolean transB) {
    return PackedMatrix.pack(k, n, b, bOff, ldb, transB, 1);
  }

  @Override
  public void multiplyPacked(int m, float alpha, float[] a, int aOff, int lda, boolean transA, PackedMatrix b,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < b.n; j++) {
        float s = 0f;
        for (int p = 0; p < b.k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          s += av * b.get(p, j);
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
      }
    }
  }
}
