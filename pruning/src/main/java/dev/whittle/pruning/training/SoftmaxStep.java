package dev.whittle.pruning.training;

import dev.whittle.ir.Node;

/**
 * Softmax along {@code axis} (opset 13+), or over the dims from {@code axis} on flattened together
 * (opsets 1-12, default axis 1). Backward: dx = y·(dy − Σ dy·y) over each softmax row.
 */
final class SoftmaxStep implements Step {
  private final int axis;
  private final boolean coerced;
  private final int x;
  private final int y;

  SoftmaxStep(Node node, long opset, int x, int y) {
    this.coerced = opset < 13;
    this.axis = (int) node.intAttr("axis", coerced ? 1 : -1);
    this.x = x;
    this.y = y;
  }

  /** {outer, length, inner}: rows of {@code length} elements spaced {@code inner} apart. */
  private int[] layout(int[] d) {
    int ax = axis < 0 ? axis + d.length : axis;
    return coerced ? new int[] {Shapes.size(d, 0, ax), Shapes.size(d, ax, d.length), 1}
        : new int[] {Shapes.size(d, 0, ax), d[ax], Shapes.size(d, ax + 1, d.length)};
  }

  @Override
  public void forward(Tape t) {
    int[] l = layout(t.dims[x]);
    float[] in = t.data[x];
    float[] out = t.output(y, t.dims[x]);
    for (int o = 0; o < l[0]; o++) {
      for (int i = 0; i < l[2]; i++) {
        int base = o * l[1] * l[2] + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < l[1]; j++) {
          max = Math.max(max, in[base + j * l[2]]);
        }
        double sum = 0;
        for (int j = 0; j < l[1]; j++) {
          float e = (float) Math.exp(in[base + j * l[2]] - max);
          out[base + j * l[2]] = e;
          sum += e;
        }
        for (int j = 0; j < l[1]; j++) {
          out[base + j * l[2]] /= (float) sum;
        }
      }
    }
  }

  @Override
  public void backward(Tape t) {
    float[] dx = t.grad(x);
    if (dx == null) {
      return;
    }
    int[] l = layout(t.dims[x]);
    float[] dy = t.gradIfAny(y);
    float[] out = t.data[y];
    for (int o = 0; o < l[0]; o++) {
      for (int i = 0; i < l[2]; i++) {
        int base = o * l[1] * l[2] + i;
        double dot = 0;
        for (int j = 0; j < l[1]; j++) {
          dot += dy[base + j * l[2]] * out[base + j * l[2]];
        }
        for (int j = 0; j < l[1]; j++) {
          int at = base + j * l[2];
          dx[at] += (float) (out[at] * (dy[at] - dot));
        }
      }
    }
  }
}
