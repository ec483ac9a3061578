package dev.whittle.kernels;

/**
 * N-d convolution (NC-spatial, groups, strides, dilations, pads): per image and group the windows
 * are unfolded ({@link Im2Col}) and multiplied with the group's weights by an {@link Sgemm}.
 * {@link DirectConvolution} is its scalar twin.
 */
public final class Convolution {
  private Convolution() {}

  /**
   * @param w weights [outChannels, channels/groups, kernel...]
   * @param bias per output channel, or null
   * @param y output [batch, outChannels, out...], overwritten
   */
  public static void forward(ConvShape s, float[] x, float[] w, float[] bias, float[] y, Sgemm gemm) {
    int cg = s.channels() / s.groups();
    int mg = s.outChannels() / s.groups();
    int inSize = s.inSize();
    int outSize = s.outSize();
    int rows = cg * s.kernelSize();
    float[] cols = new float[rows * outSize];
    for (int img = 0; img < s.batch(); img++) {
      for (int g = 0; g < s.groups(); g++) {
        Im2Col.unfold(s, x, (img * s.channels() + g * cg) * inSize, cg, cols);
        gemm.multiply(mg, outSize, rows, 1f, w, g * mg * rows, rows, false, cols, 0, outSize, false,
            0f, y, (img * s.outChannels() + g * mg) * outSize, outSize);
      }
      if (bias != null) {
        for (int oc = 0; oc < s.outChannels(); oc++) {
          int base = (img * s.outChannels() + oc) * outSize;
          for (int p = 0; p < outSize; p++) {
            y[base + p] += bias[oc];
          }
        }
      }
    }
  }
}
