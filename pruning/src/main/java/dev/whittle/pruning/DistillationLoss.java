package dev.whittle.pruning;

import java.util.List;

/**
 * The distillation loss between student and teacher values of one sample and its gradient with
 * respect to the student's. Logits ([rows, classes]), measured in units of {@code unit} (the
 * teacher's logit spread, so that the temperature means the same whatever the model's logit
 * scale): soft-target distillation KL(softmax(t/uT) ‖ softmax(s/uT))·T², averaged over rows, whose
 * gradient is T·(softmax(s/uT) − softmax(t/uT))/u. Anything else: the mean squared error.
 */
record DistillationLoss(boolean logits, int classes, double temperature, double unit) {
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
    double[] ls = new double[classes];
    double[] lt = new double[classes];
    for (int r = 0; r < rows; r++) {
      logSoftmax(s, r * classes, ls);
      logSoftmax(t, r * classes, lt);
      for (int c = 0; c < classes; c++) {
        double pt = Math.exp(lt[c]);
        loss += pt > 0 ? pt * (lt[c] - ls[c]) : 0;
        grad[r * classes + c] = (float) (scale * temperature * (Math.exp(ls[c]) - pt) / (rows * unit));
      }
    }
    return loss * temperature * temperature / rows;
  }

  /** log softmax(z/uT) of one row, without overflow or log(0). */
  private void logSoftmax(float[] z, int off, double[] out) {
    double t = temperature * unit;
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      max = Math.max(max, z[off + c] / t);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += Math.exp(z[off + c] / t - max);
    }
    double log = max + Math.log(sum);
    for (int c = 0; c < classes; c++) {
      out[c] = z[off + c] / t - log;
    }
  }

  /**
   * The spread of logits [rows, classes] over samples: the root mean square, over every row, of
   * the row's standard deviation across classes (1 when they are all flat).
   */
  static double spread(List<float[]> samples, int classes) {
    double sum = 0;
    long rows = 0;
    for (float[] z : samples) {
      for (int off = 0; off + classes <= z.length; off += classes) {
        double mean = 0;
        for (int c = 0; c < classes; c++) {
          mean += z[off + c];
        }
        mean /= classes;
        for (int c = 0; c < classes; c++) {
          sum += (z[off + c] - mean) * (z[off + c] - mean) / classes;
        }
        rows++;
      }
    }
    return sum > 0 ? Math.sqrt(sum / rows) : 1;
  }
}
