package dev.whittle.pruning.training;

import dev.whittle.kernels.ConvShape;
import dev.whittle.kernels.Im2Col;
import java.util.Arrays;

/**
 * The adjoint of {@link Im2Col#unfold}: adds each unfolded window entry back onto the input
 * position it was read from (entries read from the padding are dropped). Backward of Conv and
 * pooling.
 */
final class Col2Im {
  private Col2Im() {}

  /**
   * Adds {@code cols} (laid out as {@link Im2Col#unfold} writes them for {@code channels} channels)
   * into {@code dx} from {@code dxOff}; {@code positions} are {@link #positions}{@code (s)}.
   */
  static void fold(ConvShape s, int[] positions, float[] cols, int channels, float[] dx, int dxOff) {
    int inSize = Shapes.size(s.in());
    for (int c = 0; c < channels; c++) {
      int chanBase = dxOff + c * inSize;
      int rowBase = c * positions.length;
      for (int j = 0; j < positions.length; j++) {
        if (positions[j] >= 0) {
          dx[chanBase + positions[j]] += cols[rowBase + j];
        }
      }
    }
  }

  /** For each (kernel tap, output position) the input position it reads within a channel, or -1 in the padding. */
  static int[] positions(ConvShape s) {
    int n = s.in().length;
    int outSize = Shapes.size(s.out());
    int kSize = Shapes.size(s.kernel());
    int[] inStride = new int[n];
    int acc = 1;
    for (int i = n - 1; i >= 0; i--) {
      inStride[i] = acc;
      acc *= s.in()[i];
    }
    int[] index = new int[kSize * outSize];
    int[] kIdx = new int[n];
    int[] oIdx = new int[n];
    for (int k = 0; k < kSize; k++) {
      Arrays.fill(oIdx, 0);
      for (int o = 0; o < outSize; o++) {
        int pos = 0;
        for (int d = 0; d < n && pos >= 0; d++) {
          int p = oIdx[d] * s.strides()[d] - s.padsBegin()[d] + kIdx[d] * s.dilations()[d];
          pos = p < 0 || p >= s.in()[d] ? -1 : pos + p * inStride[d];
        }
        index[k * outSize + o] = pos;
        Im2Col.increment(oIdx, s.out());
      }
      Im2Col.increment(kIdx, s.kernel());
    }
    return index;
  }
}
