package dev.whittle.pruning.training;

import dev.whittle.ir.Node;

/** Relu, LeakyRelu, Sigmoid, Tanh and Identity: one input, one output of its dims. */
final class ActivationStep extends UnaryStep {
  private final String op;
  private final float alpha;

  ActivationStep(Node node, int x, int y) {
    super(x, y);
    this.op = node.opType();
    this.alpha = node.floatAttr("alpha", 0.01f);
  }

  @Override
  public void forward(Tape t) {
    float[] in = t.data[x];
    float[] out = t.output(y, t.dims[x]);
    for (int i = 0; i < in.length; i++) {
      float v = in[i];
      out[i] = switch (op) {
        case "Relu" -> Math.max(v, 0f);
        case "LeakyRelu" -> v >= 0 ? v : alpha * v;
        case "Sigmoid" -> (float) (1 / (1 + Math.exp(-v)));
        case "Tanh" -> (float) Math.tanh(v);
        default -> v;
      };
    }
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    float[] in = t.data[x];
    float[] out = t.data[y];
    for (int i = 0; i < dy.length; i++) {
      dx[i] += dy[i] * switch (op) {
        case "Relu" -> in[i] > 0 ? 1f : 0f;
        case "LeakyRelu" -> in[i] >= 0 ? 1f : alpha;
        case "Sigmoid" -> out[i] * (1 - out[i]);
        case "Tanh" -> 1 - out[i] * out[i];
        default -> 1f;
      };
    }
  }
}
