package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import java.util.Arrays;

/**
 * ReduceMean over constant axes (the {@code axes} attribute before opset 18, a constant input
 * from 18; all dims when none, or none with {@code noop_with_empty_axes}), keeping the reduced
 * dims as 1 or dropping them. Backward spreads each output's gradient evenly over what it averaged.
 */
final class ReduceMeanStep extends UnaryStep {
  private final Node node;
  private final int index;
  private final long[] axes;

  private record Saved(int[] map, int count) {}

  /** {@code axes}: the constant axes, null when none are given. */
  ReduceMeanStep(Node node, int index, long[] axes, int x, int y) {
    super(x, y);
    this.node = node;
    this.index = index;
    this.axes = axes;
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    int r = xd.length;
    boolean[] reduced = new boolean[r];
    if (axes == null || axes.length == 0) {
      Arrays.fill(reduced, node.intAttr("noop_with_empty_axes", 0) == 0);
    } else {
      for (long a : axes) {
        int d = (int) (a < 0 ? a + r : a);
        if (d < 0 || d >= r) {
          throw node.error("axis " + a + " is out of range").expected("axes in [-" + r + ", " + (r - 1) + "]")
              .found("input " + Arrays.toString(xd)).build();
        }
        reduced[d] = true;
      }
    }
    int[] kept = new int[r];
    int count = 1;
    int dropped = 0;
    for (int d = 0; d < r; d++) {
      kept[d] = reduced[d] ? 1 : xd[d];
      count *= reduced[d] ? xd[d] : 1;
      dropped += reduced[d] ? 1 : 0;
    }
    int[] yd = kept;
    if (node.intAttr("keepdims", 1) == 0) {
      yd = new int[r - dropped];
      for (int d = 0, j = 0; d < r; d++) {
        if (!reduced[d]) {
          yd[j++] = xd[d];
        }
      }
    }
    int[] map = Broadcast.indices(xd, kept);
    float[] in = t.data[x];
    double[] sums = new double[Shapes.size(kept)];
    for (int i = 0; i < in.length; i++) {
      sums[map[i]] += in[i];
    }
    float[] out = t.output(y, yd);
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (sums[j] / count);
    }
    t.saved[index] = new Saved(map, count);
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    Saved s = (Saved) t.saved[index];
    float inv = 1f / s.count();
    for (int i = 0; i < dx.length; i++) {
      dx[i] += dy[s.map()[i]] * inv;
    }
  }
}
