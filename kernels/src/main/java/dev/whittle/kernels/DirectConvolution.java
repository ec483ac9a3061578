package dev.whittle.kernels;

/** The reference convolution: the definition as nested loops, accumulating in float. */
public final class DirectConvolution {
  private DirectConvolution() {}

  public static void forward(ConvShape s, float[] x, float[] w, float[] bias, float[] y) {
    int n = s.in().length;
    int cg = s.channels() / s.groups();
    int mg = s.outChannels() / s.groups();
    int inSize = s.inSize();
    int outSize = s.outSize();
    int kSize = s.kernelSize();
    int[] o = new int[n];
    int[] k = new int[n];
    for (int img = 0; img < s.batch(); img++) {
      for (int oc = 0; oc < s.outChannels(); oc++) {
        int g = oc / mg;
        java.util.Arrays.fill(o, 0);
        for (int op = 0; op < outSize; op++) {
          float sum = bias == null ? 0f : bias[oc];
          for (int ic = 0; ic < cg; ic++) {
            int xBase = (img * s.channels() + g * cg + ic) * inSize;
            int wBase = (oc * cg + ic) * kSize;
            java.util.Arrays.fill(k, 0);
            for (int kp = 0; kp < kSize; kp++) {
              int pos = 0;
              boolean inside = true;
              for (int d = 0; d < n; d++) {
                int p = o[d] * s.strides()[d] - s.padsBegin()[d] + k[d] * s.dilations()[d];
                if (p < 0 || p >= s.in()[d]) {
                  inside = false;
                  break;
                }
                pos = pos * s.in()[d] + p;
              }
              if (inside) {
                sum += x[xBase + pos] * w[wBase + kp];
              }
              Im2Col.increment(k, s.kernel());
            }
          }
          y[(img * s.outChannels() + oc) * outSize + op] = sum;
          Im2Col.increment(o, s.out());
        }
      }
    }
  }
}
