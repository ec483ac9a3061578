package dev.whittle.runtime.ops.image;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;

/**
 * RoiAlign: for each region, a grid of bilinear samples per output cell, averaged (avg) or
 * reduced by maximum (max, where ONNX takes the largest of the four weighted corner terms).
 */
public final class RoiAlignOp {
  private RoiAlignOp() {}

  public static Kernel create(NodeContext ctx) {
    boolean halfPixel = ctx.attrString("coordinate_transformation_mode", ctx.opset() >= 16 ? "half_pixel" : "output_half_pixel")
        .equals("half_pixel");
    boolean max = ctx.attrString("mode", "avg").equals("max");
    int outH = (int) ctx.attrInt("output_height", 1);
    int outW = (int) ctx.attrInt("output_width", 1);
    int ratio = (int) ctx.attrInt("sampling_ratio", 0);
    double scale = ctx.attrFloat("spatial_scale", 1f);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      double[] v = Casts.toDoubles(x);
      double[] rois = Casts.toDoubles((Tensor) in[1]);
      long[] batch = Casts.toLongs((Tensor) in[2]);
      int c = (int) x.dim(1);
      int h = (int) x.dim(2);
      int w = (int) x.dim(3);
      int n = batch.length;
      double offset = halfPixel ? 0.5 : 0;
      double[] y = new double[n * c * outH * outW];
      for (int r = 0; r < n; r++) {
        double x1 = rois[r * 4] * scale - offset;
        double y1 = rois[r * 4 + 1] * scale - offset;
        double x2 = rois[r * 4 + 2] * scale - offset;
        double y2 = rois[r * 4 + 3] * scale - offset;
        double roiW = halfPixel ? x2 - x1 : Math.max(x2 - x1, 1);
        double roiH = halfPixel ? y2 - y1 : Math.max(y2 - y1, 1);
        double binH = roiH / outH;
        double binW = roiW / outW;
        int gridH = ratio > 0 ? ratio : (int) Math.ceil(roiH / outH);
        int gridW = ratio > 0 ? ratio : (int) Math.ceil(roiW / outW);
        int count = Math.max(gridH * gridW, 1);
        for (int ch = 0; ch < c; ch++) {
          int base = ((int) batch[r] * c + ch) * h * w;
          for (int ph = 0; ph < outH; ph++) {
            for (int pw = 0; pw < outW; pw++) {
              double acc = max ? Double.NEGATIVE_INFINITY : 0;
              boolean any = false;
              for (int iy = 0; iy < gridH; iy++) {
                double sy = y1 + ph * binH + (iy + 0.5) * binH / gridH;
                for (int ix = 0; ix < gridW; ix++) {
                  double sx = x1 + pw * binW + (ix + 0.5) * binW / gridW;
                  double[] terms = bilinearTerms(v, base, h, w, sy, sx);
                  if (max) {
                    for (double t : terms) {
                      acc = Math.max(acc, t);
                    }
                    any = true;
                  } else {
                    acc += terms[0] + terms[1] + terms[2] + terms[3];
                  }
                }
              }
              y[((r * c + ch) * outH + ph) * outW + pw] = max ? (any ? acc : 0) : acc / count;
            }
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), new long[] {n, c, outH, outW}, y)};
    };
  }

  /** The four weighted corner terms of a bilinear sample; zeros outside [-1, size]. */
  private static double[] bilinearTerms(double[] v, int base, int h, int w, double y, double x) {
    if (y < -1 || y > h || x < -1 || x > w) {
      return new double[4];
    }
    y = Math.max(y, 0);
    x = Math.max(x, 0);
    int yl = (int) y;
    int xl = (int) x;
    int yh;
    int xh;
    if (yl >= h - 1) {
      yh = yl = h - 1;
      y = yl;
    } else {
      yh = yl + 1;
    }
    if (xl >= w - 1) {
      xh = xl = w - 1;
      x = xl;
    } else {
      xh = xl + 1;
    }
    double ly = y - yl;
    double lx = x - xl;
    double hy = 1 - ly;
    double hx = 1 - lx;
    return new double[] {hy * hx * v[base + yl * w + xl], hy * lx * v[base + yl * w + xh], ly * hx * v[base + yh * w + xl],
        ly * lx * v[base + yh * w + xh]};
  }
}
