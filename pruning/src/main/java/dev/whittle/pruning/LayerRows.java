package dev.whittle.pruning;

import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.ops.nn.SpatialGeometry;

/**
 * The rows a layer multiplies by its K×N weight: for MatMul/Gemm every leading position of the
 * input's last axis, for a 2-D Conv (group 1) the kh·kw·C window under every output position (zero
 * outside the padded input), in the weight's [C, kh, kw] order.
 */
final class LayerRows {
  private final PrunableLayer layer;
  private final boolean conv;
  private final int kh;
  private final int kw;
  private final int sh;
  private final int sw;
  private final int dh;
  private final int dw;
  /** The Conv's window (auto_pad SAME pads depend on the input size), null for MatMul/Gemm. */
  private final SpatialGeometry geometry;

  LayerRows(PrunableLayer layer) {
    this.layer = layer;
    Node n = layer.node();
    this.conv = n.is("Conv");
    long[] w = layer.weight().initializer().dims();
    this.kh = conv ? (int) w[2] : 0;
    this.kw = conv && w.length > 3 ? (int) w[3] : 0;
    this.geometry = conv ? SpatialGeometry.of(n, java.util.Arrays.copyOfRange(w, 2, w.length)) : null;
    long[] strides = conv ? geometry.strides() : new long[] {1, 1};
    long[] dil = conv ? geometry.dilations() : new long[] {1, 1};
    this.sh = (int) strides[0];
    this.sw = strides.length > 1 ? (int) strides[1] : 1;
    this.dh = (int) dil[0];
    this.dw = dil.length > 1 ? (int) dil[1] : 1;
  }

  /** Whether rows can be formed for this layer (2-D, group-1 Conv, or MatMul/Gemm). */
  static boolean supported(PrunableLayer l) {
    Node n = l.node();
    if (!n.is("Conv")) {
      return true;
    }
    return l.weight().initializer().rank() == 4 && n.intAttr("group", 1) == 1
        && java.util.Set.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(n.stringAttr("auto_pad", "NOTSET"));
  }

  /** Calls {@code row} for every row of the layer's input {@code x}. */
  void forEach(Tensor x, java.util.function.Consumer<float[]> row) {
    float[] v = x.toFloatArray();
    int k = layer.k();
    if (!conv) {
      for (int i = 0; i + k <= v.length; i += k) {
        row.accept(java.util.Arrays.copyOfRange(v, i, i + k));
      }
      return;
    }
    long[] d = x.dims();
    int c = (int) d[1];
    int h = (int) d[2];
    int wd = (int) d[3];
    long[] pads = geometry.pads(new long[] {h, wd});
    long[] out = geometry.outputDims(new long[] {h, wd});
    int ph = (int) pads[0];
    int pw = (int) pads[1];
    int oh = (int) out[0];
    int ow = (int) out[1];
    for (int img = 0; img < d[0]; img++) {
      for (int r = 0; r < oh; r++) {
        for (int col = 0; col < ow; col++) {
          float[] patch = new float[k];
          int at = 0;
          for (int ch = 0; ch < c; ch++) {
            int base = (img * c + ch) * h * wd;
            for (int i = 0; i < kh; i++) {
              int ih = r * sh - ph + i * dh;
              for (int j = 0; j < kw; j++) {
                int iw = col * sw - pw + j * dw;
                patch[at++] = ih < 0 || ih >= h || iw < 0 || iw >= wd ? 0f : v[base + ih * wd + iw];
              }
            }
          }
          row.accept(patch);
        }
      }
    }
  }
}
