package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.ConvShape;

/**
 * MaxPool, AveragePool (count_include_pad, ceil_mode, auto_pad) and GlobalAveragePool over [N, C,
 * spatial...]. MaxPool's backward sends each output's gradient to the input that won (the first on
 * ties); average pooling spreads it evenly over the window's divisor.
 */
final class PoolStep extends UnaryStep {
  private final Node node;
  private final int index;

  /** Per output element, the input element that won (MaxPool), or the window geometry and divisors (AveragePool). */
  private record Saved(int[] argmax, ConvShape shape, int[] positions, float[] divisor) {}

  PoolStep(Node node, int index, int x, int y) {
    super(x, y);
    this.node = node;
    this.index = index;
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    if (xd.length < 3) {
      throw node.error("pooling input of rank < 3").expected("[N, C, spatial...]").found(java.util.Arrays.toString(xd)).build();
    }
    int planes = xd[0] * xd[1];
    int inSize = Shapes.size(xd, 2, xd.length);
    float[] in = t.data[x];
    if (node.is("GlobalAveragePool")) {
      int[] yd = xd.clone();
      java.util.Arrays.fill(yd, 2, yd.length, 1);
      float[] out = t.output(y, yd);
      for (int p = 0; p < planes; p++) {
        double sum = 0;
        for (int i = 0; i < inSize; i++) {
          sum += in[p * inSize + i];
        }
        out[p] = (float) (sum / inSize);
      }
      return;
    }
    int[] kernel = Shapes.ints(node.intsAttr("kernel_shape", new long[0]));
    Window window = Window.of(node, kernel);
    ConvShape s = window.shape(xd, xd[1], 1);
    int outSize = Shapes.size(s.out());
    int taps = Shapes.size(s.kernel());
    int[] yd = new int[xd.length];
    yd[0] = xd[0];
    yd[1] = xd[1];
    System.arraycopy(s.out(), 0, yd, 2, s.out().length);
    float[] out = t.output(y, yd);
    int[] pos = Col2Im.positions(s);
    boolean max = node.is("MaxPool");
    int[] argmax = max ? new int[planes * outSize] : null;
    float[] divisor = max ? null : divisors(window, s, pos, taps, outSize);
    for (int p = 0; p < planes; p++) {
      int base = p * inSize;
      for (int o = 0; o < outSize; o++) {
        float best = Float.NEGATIVE_INFINITY;
        int at = -1;
        double sum = 0;
        for (int k = 0; k < taps; k++) {
          int i = pos[k * outSize + o];
          if (i >= 0) {
            float v = in[base + i];
            sum += v;
            if (v > best || at < 0) {
              best = v;
              at = base + i;
            }
          }
        }
        if (max) {
          out[p * outSize + o] = best;
          argmax[p * outSize + o] = at;
        } else {
          out[p * outSize + o] = (float) (sum / divisor[o]);
        }
      }
    }
    t.saved[index] = new Saved(argmax, s, pos, divisor);
  }

  private float[] divisors(Window window, ConvShape s, int[] pos, int taps, int outSize) {
    boolean includePad = node.intAttr("count_include_pad", 0) != 0;
    int[] padded = includePad ? window.paddedCounts(s) : null;
    float[] d = new float[outSize];
    for (int o = 0; o < outSize; o++) {
      int inside = 0;
      for (int k = 0; k < taps; k++) {
        inside += pos[k * outSize + o] >= 0 ? 1 : 0;
      }
      d[o] = includePad ? padded[o] : inside;
    }
    return d;
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    int[] xd = t.dims[x];
    int planes = xd[0] * xd[1];
    int inSize = Shapes.size(xd, 2, xd.length);
    if (node.is("GlobalAveragePool")) {
      for (int p = 0; p < planes; p++) {
        float g = dy[p] / inSize;
        for (int i = 0; i < inSize; i++) {
          dx[p * inSize + i] += g;
        }
      }
      return;
    }
    Saved s = (Saved) t.saved[index];
    if (s.argmax() != null) {
      for (int i = 0; i < dy.length; i++) {
        if (s.argmax()[i] >= 0) {
          dx[s.argmax()[i]] += dy[i];
        }
      }
      return;
    }
    int outSize = s.divisor().length;
    int taps = s.positions().length / outSize;
    for (int p = 0; p < planes; p++) {
      for (int o = 0; o < outSize; o++) {
        float g = dy[p * outSize + o] / s.divisor()[o];
        for (int k = 0; k < taps; k++) {
          int i = s.positions()[k * outSize + o];
          if (i >= 0) {
            dx[p * inSize + i] += g;
          }
        }
      }
    }
  }
}
