package dev.whittle.pruning;

/**
 * The distillation loss between student and teacher values of one sample and its gradient with
 * respect to the student's. Logits ([rows, classes]): soft-target cross-entropy
 * KL(softmax(t/T) ‖ softmax(s/T))·T², averaged over rows, whose gradient is T·(softmax(s/T) −
 * softmax(t/T)). Anything else: the mean squared error.
 */
record DistillationLoss(boolean logits, int classes, double temperature) {
  /** Writes dLoss/ds times {@code scale} into {@code grad}; returns the loss. */
  double gradient(float[] s, float[] t, double scale, float[] grad) {
    if (!logits) {
      double loss = 0;
      for (int i = 0; i < s.length; i++) {
        double d = s[i] - t[i];
        loss += d * d;
        grad[i] = (float) (scale * 2 * d / s.length);
      }
      return loss / s.length;
    }
    int rows = s.length / classes;
    double loss = 0;
    double[] ps = new double[classes];
    double[] pt = new double[classes];
    for (int r = 0; r < rows; r++) {
      softmax(s, r * classes, ps);
      softmax(t, r * classes, pt);
      for (int c = 0; c < classes; c++) {
        loss += pt[c] > 0 ? pt[c] * (Math.log(pt[c]) - Math.log(ps[c])) : 0;
        grad[r * classes + c] = (float) (scale * temperature * (ps[c] - pt[c]) / rows);
      }
    }
    return loss * temperature * temperature / rows;
  }

  private void softmax(float[] z, int off, double[] p) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      max = Math.max(max, z[off + c] / temperature);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      p[c] = Math.exp(z[off + c] / temperature - max);
      sum += p[c];
    }
    for (int c = 0; c < classes; c++) {
      p[c] /= sum;
    }
  }
}
