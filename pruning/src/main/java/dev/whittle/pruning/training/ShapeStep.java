package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import java.util.Arrays;

/** Reshape (to a constant shape, with ONNX's 0 and -1 rules and allowzero) and Flatten: same data, new dims. */
final class ShapeStep extends UnaryStep {
  private final Node node;
  private final long[] shape;

  /** {@code shape}: Reshape's constant target, null for Flatten. */
  ShapeStep(Node node, long[] shape, int x, int y) {
    super(x, y);
    this.node = node;
    this.shape = shape;
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    int[] yd = shape == null ? flatten(xd) : reshape(xd);
    System.arraycopy(t.data[x], 0, t.output(y, yd), 0, t.data[x].length);
  }

  private int[] flatten(int[] xd) {
    int axis = (int) node.intAttr("axis", 1);
    axis = axis < 0 ? axis + xd.length : axis;
    return new int[] {Shapes.size(xd, 0, axis), Shapes.size(xd, axis, xd.length)};
  }

  private int[] reshape(int[] xd) {
    boolean allowZero = node.intAttr("allowzero", 0) != 0;
    int[] yd = new int[shape.length];
    int unknown = -1;
    int known = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) {
        unknown = i;
        continue;
      }
      yd[i] = shape[i] == 0 && !allowZero ? xd[i] : (int) shape[i];
      known *= yd[i];
    }
    int size = Shapes.size(xd);
    if (unknown >= 0 && known != 0) {
      yd[unknown] = size / known;
    }
    if (Shapes.size(yd) != size) {
      throw node.error("cannot reshape").expected("a shape of " + size + " elements")
          .found(Arrays.toString(shape) + " for input " + Arrays.toString(xd)).build();
    }
    return yd;
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    for (int i = 0; i < dy.length; i++) {
      dx[i] += dy[i];
    }
  }
}
