package dev.whittle.kernels;

/**
 * Exact integer matrix products of 8-bit operands (zero points already subtracted, so every value
 * is in [-255, 255]) computed by the float {@link Sgemm}. A product of two such values is at most
 * 65,025 in magnitude, so a sum of at most {@value #CHUNK} of them stays below 2^24 and every
 * partial sum on the way is an integer a float holds exactly, in whatever order the kernel adds.
 * The k dimension is therefore cut into chunks of {@value #CHUNK}; each chunk's float product is
 * exact and is added to the int32 result. B is packed once per chunk (for a constant weight, once
 * per model).
 */
public final class IntegerGemm {
  /** Rows of k per exact float product: 256 · 255² = 16,646,400 < 2^24. */
  public static final int CHUNK = 256;

  private final Sgemm gemm;
  private final int k;
  private final int n;
  private final PackedMatrix[] chunks;

  private IntegerGemm(Sgemm gemm, int k, int n, PackedMatrix[] chunks) {
    this.gemm = gemm;
    this.k = k;
    this.n = n;
    this.chunks = chunks;
  }

  /**
   * Packs B, row-major [k, n] at {@code bOff}, whose values must be integers in [-255, 255] (checked),
   * for {@link Kernels#sgemm()}.
   */
  public static IntegerGemm pack(int k, int n, float[] b, int bOff) {
    for (int i = bOff; i < bOff + k * n; i++) {
      if (!(Math.abs(b[i]) <= 255) || b[i] != Math.rint(b[i])) {
        throw new IllegalArgumentException("integer GEMM operand out of range: " + b[i] + " (need an integer in [-255, 255])");
      }
    }
    Sgemm gemm = Kernels.sgemm();
    PackedMatrix[] chunks = new PackedMatrix[(k + CHUNK - 1) / CHUNK];
    for (int c = 0; c < chunks.length; c++) {
      int rows = Math.min(CHUNK, k - c * CHUNK);
      chunks[c] = gemm.pack(rows, n, b, bOff + c * CHUNK * n, n, false);
    }
    return new IntegerGemm(gemm, k, n, chunks);
  }

  /**
   * out[m, n] (row-major at {@code outOff}) = A · B, where A is row-major [m, k] at {@code aOff}
   * with integer values in [-255, 255] (not checked: the caller builds A from 8-bit data).
   */
  public void multiply(int m, float[] a, int aOff, int[] out, int outOff) {
    float[] part = new float[m * n];
    for (int i = outOff; i < outOff + m * n; i++) {
      out[i] = 0;
    }
    for (int c = 0; c < chunks.length; c++) {
      gemm.multiplyPacked(m, 1f, a, aOff + c * CHUNK, k, false, chunks[c], 0f, part, 0, n);
      for (int i = 0; i < part.length; i++) {
        out[outOff + i] += (int) part[i];
      }
    }
  }
}
