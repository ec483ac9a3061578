package dev.whittle.pruning;

/**
 * Adam (Kingma and Ba, 2015) over one flat parameter array: first and second moment estimates with
 * bias correction, beta1 0.9, beta2 0.999, epsilon 1e-8.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double[] m;
  private final double[] v;
  private int t;

  Adam(int size) {
    m = new double[size];
    v = new double[size];
  }

  /** One update of {@code w} with gradient {@code g} at learning rate {@code lr}. */
  void step(float[] w, float[] g, double lr) {
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int i = 0; i < w.length; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
      w[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON));
    }
  }
}
