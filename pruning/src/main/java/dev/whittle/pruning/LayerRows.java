package dev.whittle.pruning;

import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;

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
  private final int ph;
  private final int pw;
  private final int pe;
  private final int pr;
  /** NOTSET (explicit pads), VALID, SAME_UPPER or SAME_LOWER: the SAME pads depend on the input size. */
  private final String autoPad;

  LayerRows(PrunableLayer layer) {
    this.layer = layer;
    Node n = layer.node();
    this.conv = n.is("Conv");
    long[] w = layer.weight().initializer().dims();
    long[] strides = n.hasAttribute("strides") ? n.attribute("strides").ints() : new long[] {1, 1};
    long[] dil = n.hasAttribute("dilations") ? n.attribute("dilations").ints() : new long[] {1, 1};
    long[] pads = n.hasAttribute("pads") ? n.attribute("pads").ints() : new long[] {0, 0, 0, 0};
    this.kh = conv ? (int) w[2] : 0;
    this.kw = conv && w.length > 3 ? (int) w[3] : 0;
    this.sh = (int) strides[0];
    this.sw = strides.length > 1 ? (int) strides[1] : 1;
    this.dh = (int) dil[0];
    this.dw = dil.length > 1 ? (int) dil[1] : 1;
    this.ph = (int) pads[0];
    this.pw = pads.length > 1 ? (int) pads[1] : 0;
    this.pe = pads.length > 2 ? (int) pads[2] : 0;
    this.pr = pads.length > 3 ? (int) pads[3] : 0;
    this.autoPad = n.stringAttr("auto_pad", "NOTSET");
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

  /** Padding before one spatial axis of size {@code in} (auto_pad SAME pads so that out = ⌈in / stride⌉). */
  private int padBefore(int explicit, int in, int k, int stride, int dil) {
    return switch (autoPad) {
      case "VALID" -> 0;
      case "SAME_UPPER", "SAME_LOWER" -> {
        int total = Math.max(0, ((in + stride - 1) / stride - 1) * stride + (k - 1) * dil + 1 - in);
        yield autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
      }
      default -> explicit;
    };
  }

  private int padAfter(int explicit, int in, int k, int stride, int dil) {
    if (autoPad.equals("NOTSET")) {
      return explicit;
    }
    return autoPad.equals("VALID") ? 0
        : Math.max(0, ((in + stride - 1) / stride - 1) * stride + (k - 1) * dil + 1 - in) - padBefore(0, in, k, stride, dil);
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
    int ph = padBefore(this.ph, h, kh, sh, dh);
    int pw = padBefore(this.pw, wd, kw, sw, dw);
    int oh = (h + ph + padAfter(pe, h, kh, sh, dh) - dh * (kh - 1) - 1) / sh + 1;
    int ow = (wd + pw + padAfter(pr, wd, kw, sw, dw) - dw * (kw - 1) - 1) / sw + 1;
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
