package dev.whittle.runtime.ops.nn;

/**
 * Unfolds the windows of an N-d convolution into a matrix: row (c, k1..kn), column (o1..on), so a
 * convolution becomes one matrix product per group. Padding reads as zero.
 */
final class Im2Col {
  private Im2Col() {}

  /**
   * @param x input data; channel {@code c} of this image starts at {@code xOff + c * inSize}
   * @param channels channels to unfold (one group)
   * @param in input spatial dims
   * @param out output spatial dims
   * @return matrix of {@code channels * prod(kernel)} rows and {@code prod(out)} columns
   */
  static float[] unfold(float[] x, int xOff, int channels, long[] in, long[] out, SpatialGeometry g, long[] pads) {
    int n = in.length;
    int inSize = 1;
    int outSize = 1;
    int kSize = 1;
    for (int i = 0; i < n; i++) {
      inSize *= (int) in[i];
      outSize *= (int) out[i];
      kSize *= (int) g.kernel[i];
    }
    float[] cols = new float[channels * kSize * outSize];
    int[] kIdx = new int[n];
    int[] oIdx = new int[n];
    int[] inStride = new int[n];
    int acc = 1;
    for (int i = n - 1; i >= 0; i--) {
      inStride[i] = acc;
      acc *= (int) in[i];
    }
    for (int c = 0; c < channels; c++) {
      int chanBase = xOff + c * inSize;
      java.util.Arrays.fill(kIdx, 0);
      for (int k = 0; k < kSize; k++) {
        int row = (c * kSize + k) * outSize;
        java.util.Arrays.fill(oIdx, 0);
        for (int o = 0; o < outSize; o++) {
          int pos = 0;
          boolean inside = true;
          for (int d = 0; d < n; d++) {
            long p = oIdx[d] * g.strides[d] - pads[d] + kIdx[d] * g.dilations[d];
            if (p < 0 || p >= in[d]) {
              inside = false;
              break;
            }
            pos += (int) p * inStride[d];
          }
          cols[row + o] = inside ? x[chanBase + pos] : 0f;
          increment(oIdx, out);
        }
        increment(kIdx, g.kernel);
      }
    }
    return cols;
  }

  /** Advances a row-major multi-index; returns false after the last position. */
  static boolean increment(int[] idx, long[] dims) {
    for (int d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) {
        return true;
      }
      idx[d] = 0;
    }
    return false;
  }
}
