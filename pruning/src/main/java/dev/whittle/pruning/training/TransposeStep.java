package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.Im2Col;
import java.util.Arrays;

/** Transpose by {@code perm} (reversed dims by default): a gather forward, the matching scatter backward. */
final class TransposeStep extends UnaryStep {
  private final Node node;
  private final int index;

  TransposeStep(Node node, int index, int x, int y) {
    super(x, y);
    this.node = node;
    this.index = index;
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    int r = xd.length;
    long[] attr = node.intsAttr("perm", null);
    int[] perm = attr != null ? Shapes.ints(attr) : reversed(r);
    if (perm.length != r || !isPermutation(perm)) {
      throw node.error("perm does not permute the input's dims").expected("a permutation of 0.." + (r - 1))
          .found(Arrays.toString(perm) + " for input " + Arrays.toString(xd)).build();
    }
    int[] yd = new int[r];
    int[] inStride = new int[r];
    for (int d = r - 1, acc = 1; d >= 0; d--) {
      inStride[d] = acc;
      acc *= xd[d];
    }
    int[] stride = new int[r];
    for (int d = 0; d < r; d++) {
      yd[d] = xd[perm[d]];
      stride[d] = inStride[perm[d]];
    }
    float[] in = t.data[x];
    float[] out = t.output(y, yd);
    int[] map = new int[out.length];
    int[] idx = new int[r];
    for (int i = 0; i < out.length; i++) {
      int pos = 0;
      for (int d = 0; d < r; d++) {
        pos += idx[d] * stride[d];
      }
      map[i] = pos;
      out[i] = in[pos];
      Im2Col.increment(idx, yd);
    }
    t.saved[index] = map;
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    int[] map = (int[]) t.saved[index];
    for (int i = 0; i < dy.length; i++) {
      dx[map[i]] += dy[i];
    }
  }

  private static int[] reversed(int r) {
    int[] p = new int[r];
    for (int i = 0; i < r; i++) {
      p[i] = r - 1 - i;
    }
    return p;
  }

  private static boolean isPermutation(int[] p) {
    boolean[] seen = new boolean[p.length];
    for (int v : p) {
      if (v < 0 || v >= p.length || seen[v]) {
        return false;
      }
      seen[v] = true;
    }
    return true;
  }
}
