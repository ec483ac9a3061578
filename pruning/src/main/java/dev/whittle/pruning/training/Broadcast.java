package dev.whittle.pruning.training;

import dev.whittle.kernels.Im2Col;

/** Numpy-style (multidirectional) broadcasting of ONNX's elementwise ops, as index maps. */
final class Broadcast {
  private Broadcast() {}

  /** The broadcast dims of {@code a} and {@code b}, or null when they do not broadcast. */
  static int[] dims(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.length ? 1 : a[i - (r - a.length)];
      int db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da != db && da != 1 && db != 1) {
        return null;
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** For each element of an {@code out}-shaped result, the element of the {@code in}-shaped operand it reads. */
  static int[] indices(int[] out, int[] in) {
    int r = out.length;
    int[] stride = new int[r];
    int acc = 1;
    for (int i = in.length - 1; i >= 0; i--) {
      int d = i + r - in.length;
      stride[d] = in[i] == 1 ? 0 : acc;
      acc *= in[i];
    }
    int[] map = new int[Shapes.size(out)];
    int[] idx = new int[r];
    for (int j = 0; j < map.length; j++) {
      int pos = 0;
      for (int d = 0; d < r; d++) {
        pos += idx[d] * stride[d];
      }
      map[j] = pos;
      Im2Col.increment(idx, out);
    }
    return map;
  }
}
