package dev.whittle.runtime.ops.nn;

/**
 * Row-major single-precision matrix product used by MatMul, Gemm and Conv:
 * {@code C[M,N] (+)= A[M,K] * B[K,N]} with optional transposition of A and B.
 */
final class MatrixProduct {
  private MatrixProduct() {}

  static void multiply(int m, int n, int k, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
      float[] c, int cOff, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
    }
    if (transB) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float s = 0f;
          for (int p = 0; p < k; p++) {
            float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
            s += av * b[bOff + j * k + p];
          }
          c[cOff + i * n + j] += s;
        }
      }
      return;
    }
    // i-p-j order: the inner loop streams rows of B and C, which the JIT vectorizes.
    for (int i = 0; i < m; i++) {
      int cRow = cOff + i * n;
      for (int p = 0; p < k; p++) {
        float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
        int bRow = bOff + p * n;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += av * b[bRow + j];
        }
      }
    }
  }
}
