package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.runtime.ops.math.Erf;

/** Relu, LeakyRelu, Sigmoid, Tanh, Sqrt, Erf and Identity: one input, one output of its dims. */
final class ActivationStep extends UnaryStep {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

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
        case "Sqrt" -> (float) Math.sqrt(v);
        case "Erf" -> (float) Erf.erfFloat(v);
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
        case "Sqrt" -> 0.5f / out[i];
        case "Erf" -> (float) (TWO_OVER_SQRT_PI * Math.exp(-(double) in[i] * in[i]));
        default -> 1f;
      };
    }
  }
}
