package dev.whittle.kernels;

/**
 * A k×n right-hand side laid out for one {@link Sgemm} implementation: column panels of
 * {@code panelWidth} floats, each panel holding its k rows contiguously, the last panel
 * zero-padded. Immutable once built; safe to share between threads.
 */
public final class PackedMatrix {
  final int k;
  final int n;
  final int panelWidth;
  final float[] data;

  PackedMatrix(int k, int n, int panelWidth, float[] data) {
    this.k = k;
    this.n = n;
    this.panelWidth = panelWidth;
    this.data = data;
  }

  public int rows() {
    return k;
  }

  public int columns() {
    return n;
  }

  /** Packs op(B) into panels of {@code width} columns. */
  static PackedMatrix pack(int k, int n, float[] b, int bOff, int ldb, boolean transB, int width) {
    int panels = (n + width - 1) / width;
    float[] data = new float[panels * k * width];
    for (int p = 0; p < panels; p++) {
      int j0 = p * width;
      int cols = Math.min(width, n - j0);
      int base = p * k * width;
      for (int r = 0; r < k; r++) {
        int dst = base + r * width;
        if (!transB) {
          System.arraycopy(b, bOff + r * ldb + j0, data, dst, cols);
        } else {
          for (int j = 0; j < cols; j++) {
            data[dst + j] = b[bOff + (j0 + j) * ldb + r];
          }
        }
      }
    }
    return new PackedMatrix(k, n, width, data);
  }

  /** Element (r, j) of the packed matrix. */
  float get(int r, int j) {
    int p = j / panelWidth;
    return data[p * k * panelWidth + r * panelWidth + j % panelWidth];
  }
}
