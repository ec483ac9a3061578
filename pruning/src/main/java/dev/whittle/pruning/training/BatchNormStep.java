package dev.whittle.pruning.training;

import dev.whittle.ir.Node;

/**
 * BatchNormalization in inference mode: a constant per-channel affine y = a_c·x + b_c with
 * a_c = scale_c / sqrt(var_c + epsilon), b_c = B_c − a_c·mean_c (its statistics are not trained).
 */
final class BatchNormStep extends UnaryStep {
  private final Node node;
  private final float[] a;
  private final float[] shift;

  BatchNormStep(Node node, int x, int y, float[] scale, float[] bias, float[] mean, float[] var) {
    super(x, y);
    this.node = node;
    float eps = node.floatAttr("epsilon", 1e-5f);
    this.a = new float[scale.length];
    this.shift = new float[scale.length];
    for (int c = 0; c < scale.length; c++) {
      a[c] = (float) (scale[c] / Math.sqrt(var[c] + (double) eps));
      shift[c] = bias[c] - a[c] * mean[c];
    }
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    if (xd.length < 2 || xd[1] != a.length) {
      throw node.error("channels differ from the statistics").expected("X [N, " + a.length + ", ...]")
          .found(java.util.Arrays.toString(xd)).build();
    }
    float[] in = t.data[x];
    float[] out = t.output(y, xd);
    int inner = Shapes.size(xd, 2, xd.length);
    for (int i = 0; i < in.length; i++) {
      int c = (i / inner) % xd[1];
      out[i] = a[c] * in[i] + shift[c];
    }
  }

  @Override
  void backward(Tape t, float[] dx, float[] dy) {
    int[] xd = t.dims[x];
    int inner = Shapes.size(xd, 2, xd.length);
    for (int i = 0; i < dy.length; i++) {
      dx[i] += a[(i / inner) % xd[1]] * dy[i];
    }
  }
}
