package dev.whittle.verify.quant;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Seeded RGB pictures with some of the statistics of natural images, for calibrating and
 * evaluating image models when no real pictures ship with them: the "dead leaves" model (discs and
 * rectangles of random colour and size drawn over each other on a smooth two-colour gradient, so
 * there are flat regions, edges and occlusions) plus mild pixel noise. White noise would instead
 * give every layer activations far from what a photo gives. For OCR models, printed text
 * ({@link #text}): lines of random Latin letters and digits drawn with Java2D's logical fonts.
 * Pixels are in [0, 1], laid out [3, h, w] (channel-major, as an NCHW batch of one).
 */
final class SyntheticImages {
  private SyntheticImages() {}

  /** The picture of {@code seed}, size {@code h × w}. */
  static float[] rgb(long seed, int h, int w) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] px = new float[3 * h * w];
    float[] from = color(r);
    float[] to = color(r);
    double angle = r.nextDouble(Math.PI * 2);
    double cx = Math.cos(angle);
    double cy = Math.sin(angle);
    double span = Math.abs(cx) * w + Math.abs(cy) * h;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double t = ((x - w / 2.0) * cx + (y - h / 2.0) * cy) / span + 0.5;
        for (int c = 0; c < 3; c++) {
          px[(c * h + y) * w + x] = (float) (from[c] + (to[c] - from[c]) * t);
        }
      }
    }
    int shapes = 8 + r.nextInt(24);
    int size = Math.min(h, w);
    for (int s = 0; s < shapes; s++) {
      float[] col = color(r);
      double px0 = r.nextDouble(w);
      double py0 = r.nextDouble(h);
      double rx = size * (0.03 + 0.3 * r.nextDouble() * r.nextDouble());
      double ry = r.nextBoolean() ? rx : size * (0.03 + 0.3 * r.nextDouble());
      boolean disc = r.nextBoolean();
      for (int y = (int) Math.max(0, py0 - ry); y < Math.min(h, py0 + ry); y++) {
        for (int x = (int) Math.max(0, px0 - rx); x < Math.min(w, px0 + rx); x++) {
          double dx = (x - px0) / rx;
          double dy = (y - py0) / ry;
          if (disc && dx * dx + dy * dy > 1) {
            continue;
          }
          for (int c = 0; c < 3; c++) {
            px[(c * h + y) * w + x] = col[c];
          }
        }
      }
    }
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.clamp(px[i] + 0.02 * r.nextGaussian(), 0.0, 1.0);
    }
    return px;
  }

  private static final String CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:-/";
  private static final String[] FONTS = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED};

  /**
   * Printed text on a light (or, one time in five, dark) background: one line filling the height
   * when {@code lines} is 1 (a text-line crop, as a recognizer sees it; turned upside down when
   * {@code upsideDown}), else that many lines of random size and place (a page, as a detector sees it).
   */
  static float[] text(long seed, int h, int w, int lines, boolean upsideDown) {
    SplittableRandom r = new SplittableRandom(seed);
    BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = im.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    boolean dark = r.nextInt(5) == 0;
    g.setColor(shade(r, dark ? 0.0 : 0.7, dark ? 0.3 : 1.0));
    g.fillRect(0, 0, w, h);
    if (upsideDown) {
      g.rotate(Math.PI, w / 2.0, h / 2.0);
    }
    for (int l = 0; l < lines; l++) {
      int size = lines == 1 ? (int) (h * (0.55 + 0.2 * r.nextDouble())) : 12 + r.nextInt(28);
      g.setFont(new Font(FONTS[r.nextInt(FONTS.length)], r.nextInt(3) == 0 ? Font.BOLD : Font.PLAIN, size));
      g.setColor(shade(r, dark ? 0.7 : 0.0, dark ? 1.0 : 0.35));
      int x = lines == 1 ? 2 + r.nextInt(12) : r.nextInt(Math.max(1, w / 3));
      int y = lines == 1 ? (int) (h * 0.5 + size * 0.35) : size + r.nextInt(Math.max(1, h - size));
      StringBuilder sb = new StringBuilder();
      int length = lines == 1 ? w / Math.max(1, size / 2) : 4 + r.nextInt(16);
      for (int i = 0; i < length; i++) {
        sb.append(CHARS.charAt(r.nextInt(CHARS.length())));
      }
      g.drawString(sb.toString().strip(), x, y);
    }
    g.dispose();
    float[] px = new float[3 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = im.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          double v = ((rgb >> (16 - 8 * c)) & 0xFF) / 255.0 + 0.02 * r.nextGaussian();
          px[(c * h + y) * w + x] = (float) Math.clamp(v, 0.0, 1.0);
        }
      }
    }
    return px;
  }

  private static Color shade(SplittableRandom r, double lo, double hi) {
    return new Color((float) (lo + (hi - lo) * r.nextDouble()), (float) (lo + (hi - lo) * r.nextDouble()),
        (float) (lo + (hi - lo) * r.nextDouble()));
  }

  /** {@code (p - mean[c]) / std[c]} for each pixel of channel c, in place; returns {@code px}. */
  static float[] normalize(float[] px, double[] mean, double[] std) {
    int plane = px.length / 3;
    for (int i = 0; i < px.length; i++) {
      int c = i / plane;
      px[i] = (float) ((px[i] - mean[c]) / std[c]);
    }
    return px;
  }

  private static float[] color(SplittableRandom r) {
    return new float[] {(float) r.nextDouble(), (float) r.nextDouble(), (float) r.nextDouble()};
  }
}
