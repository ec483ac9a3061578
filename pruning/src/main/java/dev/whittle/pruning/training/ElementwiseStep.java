package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import java.util.Arrays;

/**
 * Add, Sub, Mul, Div and Pow of two tensors with broadcasting (a bias, a per-channel scale, a
 * constant exponent, or two activations). Backward sums each operand's gradient over the positions
 * it was broadcast to.
 */
final class ElementwiseStep implements Step {
  private final Node node;
  private final int index;
  private final int a;
  private final int b;
  private final int y;

  private record Saved(int[] ia, int[] ib) {}

  ElementwiseStep(Node node, int index, int a, int b, int y) {
    this.node = node;
    this.index = index;
    this.a = a;
    this.b = b;
    this.y = y;
  }

  @Override
  public void forward(Tape t) {
    int[] yd = Broadcast.dims(t.dims[a], t.dims[b]);
    if (yd == null) {
      throw node.error("operands do not broadcast").expected("numpy-broadcastable dims")
          .found(Arrays.toString(t.dims[a]) + " and " + Arrays.toString(t.dims[b])).build();
    }
    int[] ia = Broadcast.indices(yd, t.dims[a]);
    int[] ib = Broadcast.indices(yd, t.dims[b]);
    float[] out = t.output(y, yd);
    float[] va = t.data[a];
    float[] vb = t.data[b];
    switch (node.opType()) {
      case "Add" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = va[ia[i]] + vb[ib[i]];
        }
      }
      case "Sub" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = va[ia[i]] - vb[ib[i]];
        }
      }
      case "Mul" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = va[ia[i]] * vb[ib[i]];
        }
      }
      case "Div" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = va[ia[i]] / vb[ib[i]];
        }
      }
      default -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) Math.pow(va[ia[i]], vb[ib[i]]);
        }
      }
    }
    t.saved[index] = new Saved(ia, ib);
  }

  @Override
  public void backward(Tape t) {
    Saved s = (Saved) t.saved[index];
    float[] dy = t.gradIfAny(y);
    float[] da = t.grad(a);
    float[] db = t.grad(b);
    float[] va = t.data[a];
    float[] vb = t.data[b];
    float[] vy = t.data[y];
    String op = node.opType();
    for (int i = 0; i < dy.length; i++) {
      float g = dy[i];
      float x1 = va[s.ia()[i]];
      float x2 = vb[s.ib()[i]];
      if (da != null) {
        da[s.ia()[i]] += switch (op) {
          case "Add", "Sub" -> g;
          case "Mul" -> g * x2;
          case "Div" -> g / x2;
          default -> (float) (g * x2 * Math.pow(x1, x2 - 1));
        };
      }
      if (db != null) {
        db[s.ib()[i]] += switch (op) {
          case "Add" -> g;
          case "Sub" -> -g;
          case "Mul" -> g * x1;
          case "Div" -> -g * x1 / (x2 * x2);
          default -> (float) (g * vy[i] * Math.log(x1));
        };
      }
    }
  }
}
