package dev.whittle.kernels;

/**
 * Single-precision matrix multiply on row-major arrays:
 * {@code C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C}, where op transposes when asked.
 * Leading dimensions are the row strides of the arrays as stored. With {@code beta == 0} the old
 * contents of C are ignored (even NaN).
 *
 * <p>Implementations: {@link ScalarSgemm} (the reference twin) and a Vector API one chosen by
 * {@link Kernels}.
 */
public interface Sgemm {
  void multiply(int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, boolean transA,
      float[] b, int bOff, int ldb, boolean transB,
      float beta, float[] c, int cOff, int ldc);

  /** Packs op(B) (k×n) once, e.g. a constant weight, for repeated {@link #multiplyPacked}. */
  PackedMatrix pack(int k, int n, float[] b, int bOff, int ldb, boolean transB);

  /** As {@link #multiply} with a B packed by this implementation's {@link #pack}. */
  void multiplyPacked(int m, float alpha, float[] a, int aOff, int lda, boolean transA,
      PackedMatrix b, float beta, float[] c, int cOff, int ldc);
}
