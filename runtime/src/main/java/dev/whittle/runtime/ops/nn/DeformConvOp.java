package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.util.Arrays;

/**
 * DeformConv (2-D): a convolution whose kernel taps are moved by learned offsets (bilinear samples,
 * zero outside the image) and optionally scaled by a mask, per offset group.
 */
final class DeformConvOp {
  private DeformConvOp() {}

  static Kernel create(NodeContext ctx) {
    int group = (int) ctx.attrInt("group", 1);
    int offsetGroups = (int) ctx.attrInt("offset_group", 1);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor w = (Tensor) in[1];
      long[] xd = x.dims();
      long[] wd = w.dims();
      SpatialGeometry g = SpatialGeometry.read(ctx, Arrays.copyOfRange(wd, 2, wd.length));
      long[] spatial = Arrays.copyOfRange(xd, 2, xd.length);
      long[] pads = g.pads(spatial);
      long[] out = g.outputDims(spatial);
      int n = (int) xd[0];
      int c = (int) xd[1];
      int h = (int) xd[2];
      int wi = (int) xd[3];
      int m = (int) wd[0];
      int kh = (int) g.kernel[0];
      int kw = (int) g.kernel[1];
      int oh = (int) out[0];
      int ow = (int) out[1];
      int cg = c / group;
      int mg = m / group;
      int cPerOffset = c / offsetGroups;
      double[] xv = Casts.toDoubles(x);
      double[] wv = Casts.toDoubles(w);
      double[] off = Casts.toDoubles((Tensor) in[2]);
      double[] bias = in.length > 3 && in[3] != null ? Casts.toDoubles((Tensor) in[3]) : null;
      double[] mask = in.length > 4 && in[4] != null ? Casts.toDoubles((Tensor) in[4]) : null;
      int taps = kh * kw;
      double[] y = new double[n * m * oh * ow];
      // sampled[c][tap] for one output position
      double[] sampled = new double[c * taps];
      for (int b = 0; b < n; b++) {
        for (int py = 0; py < oh; py++) {
          for (int px = 0; px < ow; px++) {
            for (int ch = 0; ch < c; ch++) {
              int og = ch / cPerOffset;
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int t = i * kw + j;
                  int offBase = ((b * offsetGroups + og) * 2 * taps + 2 * t) * oh * ow + py * ow + px;
                  double sy = py * g.strides[0] - pads[0] + i * g.dilations[0] + off[offBase];
                  double sx = px * g.strides[1] - pads[1] + j * g.dilations[1] + off[offBase + oh * ow];
                  double v = bilinear(xv, (b * c + ch) * h * wi, h, wi, sy, sx);
                  if (mask != null) {
                    v *= mask[((b * offsetGroups + og) * taps + t) * oh * ow + py * ow + px];
                  }
                  sampled[ch * taps + t] = v;
                }
              }
            }
            for (int oc = 0; oc < m; oc++) {
              int gi = oc / mg;
              double s = bias == null ? 0 : bias[oc];
              for (int ci = 0; ci < cg; ci++) {
                int ch = gi * cg + ci;
                for (int t = 0; t < taps; t++) {
                  s += wv[(oc * cg + ci) * taps + t] * sampled[ch * taps + t];
                }
              }
              y[((b * m + oc) * oh + py) * ow + px] = s;
            }
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), new long[] {n, m, oh, ow}, y)};
    };
  }

  /** Bilinear sample with zeros outside the image. */
  private static double bilinear(double[] v, int base, int h, int w, double y, double x) {
    if (y <= -1 || y >= h || x <= -1 || x >= w) {
      return 0;
    }
    int y0 = (int) Math.floor(y);
    int x0 = (int) Math.floor(x);
    double ly = y - y0;
    double lx = x - x0;
    double s = 0;
    for (int dy = 0; dy <= 1; dy++) {
      for (int dx = 0; dx <= 1; dx++) {
        int yy = y0 + dy;
        int xx = x0 + dx;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
          s += (dy == 0 ? 1 - ly : ly) * (dx == 0 ? 1 - lx : lx) * v[base + yy * w + xx];
        }
      }
    }
    return s;
  }
}
