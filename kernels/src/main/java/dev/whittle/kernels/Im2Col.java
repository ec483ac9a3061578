package dev.whittle.kernels;

import java.util.Arrays;

/**
 * Unfolds convolution windows into a matrix: row {@code (c, k1..kn)}, column {@code (o1..on)}, so
 * that a convolution becomes one matrix product per group. Positions in the padding read as 0.
 */
public final class Im2Col {
  private Im2Col() {}

  /**
   * @param x input; channel {@code c} of the unfolded image starts at {@code xOff + c * inSize}
   * @param channels channels to unfold (those of one group)
   * @param cols output, at least {@code channels * kernelSize * outSize} floats
   */
  public static void unfold(ConvShape s, float[] x, int xOff, int channels, float[] cols) {
    int n = s.in().length;
    int inSize = s.inSize();
    int outSize = s.outSize();
    int kSize = s.kernelSize();
    int[] kIdx = new int[n];
    int[] oIdx = new int[n];
    int[] inStride = new int[n];
    int acc = 1;
    for (int i = n - 1; i >= 0; i--) {
      inStride[i] = acc;
      acc *= s.in()[i];
    }
    for (int c = 0; c < channels; c++) {
      int chanBase = xOff + c * inSize;
      Arrays.fill(kIdx, 0);
      for (int k = 0; k < kSize; k++) {
        int row = (c * kSize + k) * outSize;
        Arrays.fill(oIdx, 0);
        for (int o = 0; o < outSize; o++) {
          int pos = 0;
          boolean inside = true;
          for (int d = 0; d < n; d++) {
            int p = oIdx[d] * s.strides()[d] - s.padsBegin()[d] + kIdx[d] * s.dilations()[d];
            if (p < 0 || p >= s.in()[d]) {
              inside = false;
              break;
            }
            pos += p * inStride[d];
          }
          cols[row + o] = inside ? x[chanBase + pos] : 0f;
          increment(oIdx, s.out());
        }
        increment(kIdx, s.kernel());
      }
    }
  }

  /** Advances a row-major multi-index; false after the last position (the index wraps to 0). */
  public static boolean increment(int[] idx, int[] dims) {
    for (int d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) {
        return true;
      }
      idx[d] = 0;
    }
    return false;
  }
}
