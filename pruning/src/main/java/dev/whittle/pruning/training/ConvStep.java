package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.ConvShape;
import dev.whittle.kernels.Im2Col;
import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.Sgemm;

/**
 * Conv with any group count (group 1 and depthwise included), strides, pads and dilations: per image
 * and group, the windows are unfolded ({@link Im2Col}) and multiplied by the group's weights with the
 * SGEMM kernel. Backward: dW += dY·colsᵀ, dcols = Wᵀ·dY folded back onto the input ({@link Col2Im}),
 * db += Σ dY.
 */
final class ConvStep implements Step {
  private final Node node;
  private final int index;
  private final int x;
  private final int w;
  private final int b;
  private final int y;
  private final int group;

  private record Saved(ConvShape shape, float[][] cols) {}

  ConvStep(Node node, int index, int x, int w, int b, int y) {
    this.node = node;
    this.index = index;
    this.x = x;
    this.w = w;
    this.b = b;
    this.y = y;
    this.group = (int) node.intAttr("group", 1);
  }

  @Override
  public void forward(Tape t) {
    int[] xd = t.dims[x];
    int[] wd = t.dims[w];
    int c = xd[1];
    int m = wd[0];
    if (xd.length != wd.length || wd[1] * group != c || m % group != 0) {
      throw node.error("channels do not match the weights and group")
          .expected("X [N, " + wd[1] * group + ", ...] of rank " + wd.length).found(java.util.Arrays.toString(xd)).build();
    }
    ConvShape s = Window.of(node, java.util.Arrays.copyOfRange(wd, 2, wd.length)).shape(xd, m, group);
    int[] yd = new int[xd.length];
    yd[0] = xd[0];
    yd[1] = m;
    System.arraycopy(s.out(), 0, yd, 2, s.out().length);
    float[] out = t.output(y, yd);
    float[] in = t.data[x];
    float[] weights = t.data[w];
    float[] bias = b < 0 ? null : t.data[b];
    int p = Shapes.size(s.out());
    int inSize = Shapes.size(s.in());
    int cg = c / group;
    int mg = m / group;
    int kg = cg * Shapes.size(s.kernel());
    float[][] cols = new float[xd[0] * group][];
    Sgemm gemm = Kernels.sgemm();
    for (int n = 0; n < xd[0]; n++) {
      for (int g = 0; g < group; g++) {
        float[] col = new float[kg * p];
        Im2Col.unfold(s, in, (n * c + g * cg) * inSize, cg, col);
        cols[n * group + g] = col;
        int yOff = (n * m + g * mg) * p;
        gemm.multiply(mg, p, kg, 1f, weights, g * mg * kg, kg, false, col, 0, p, false, 0f, out, yOff, p);
        for (int o = 0; bias != null && o < mg; o++) {
          float bo = bias[g * mg + o];
          for (int j = yOff + o * p, end = j + p; j < end; j++) {
            out[j] += bo;
          }
        }
      }
    }
    t.saved[index] = new Saved(s, cols);
  }

  @Override
  public void backward(Tape t) {
    Saved saved = (Saved) t.saved[index];
    ConvShape s = saved.shape();
    float[] dy = t.gradIfAny(y);
    float[] dw = t.grad(w);
    float[] db = b < 0 ? null : t.grad(b);
    float[] dx = t.grad(x);
    int[] xd = t.dims[x];
    int c = xd[1];
    int m = s.outChannels();
    int p = Shapes.size(s.out());
    int inSize = Shapes.size(s.in());
    int cg = c / group;
    int mg = m / group;
    int kg = cg * Shapes.size(s.kernel());
    int[] positions = dx == null ? null : Col2Im.positions(s);
    float[] dcols = dx == null ? null : new float[kg * p];
    Sgemm gemm = Kernels.sgemm();
    for (int n = 0; n < xd[0]; n++) {
      for (int g = 0; g < group; g++) {
        int yOff = (n * m + g * mg) * p;
        if (dw != null) {
          gemm.multiply(mg, kg, p, 1f, dy, yOff, p, false, saved.cols()[n * group + g], 0, p, true, 1f, dw, g * mg * kg, kg);
        }
        if (dx != null) {
          gemm.multiply(kg, p, mg, 1f, t.data[w], g * mg * kg, kg, true, dy, yOff, p, false, 0f, dcols, 0, p);
          Col2Im.fold(s, positions, dcols, cg, dx, (n * c + g * cg) * inSize);
        }
        for (int o = 0; db != null && o < mg; o++) {
          float sum = 0;
          for (int j = yOff + o * p, end = j + p; j < end; j++) {
            sum += dy[j];
          }
          db[g * mg + o] += sum;
        }
      }
    }
  }
}
