package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The distillation loss against its textbook formulas, and its gradient against central differences. */
class DistillationLossTest {
  private static float[] gaussian(Random r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  /** KL(softmax(t/uT) ‖ softmax(s/uT))·T², averaged over rows, written out directly. */
  private static double kl(float[] s, float[] t, int classes, double temperature, double unit) {
    double sum = 0;
    int rows = s.length / classes;
    for (int r = 0; r < rows; r++) {
      double zs = 0;
      double zt = 0;
      for (int c = 0; c < classes; c++) {
        zs += Math.exp(s[r * classes + c] / (unit * temperature));
        zt += Math.exp(t[r * classes + c] / (unit * temperature));
      }
      for (int c = 0; c < classes; c++) {
        double ps = Math.exp(s[r * classes + c] / (unit * temperature)) / zs;
        double pt = Math.exp(t[r * classes + c] / (unit * temperature)) / zt;
        sum += pt * Math.log(pt / ps);
      }
    }
    return sum * temperature * temperature / rows;
  }

  @Test
  void softTargetLossAndGradient() {
    Random r = new Random(2);
    float[] s = gaussian(r, 12, 30);
    float[] t = gaussian(r, 12, 30);
    double unit = DistillationLoss.spread(List.of(t), 4);
    DistillationLoss loss = new DistillationLoss(true, 4, 2, unit);
    float[] grad = new float[12];
    assertEquals(kl(s, t, 4, 2, unit), loss.gradient(s, t, 0.5, grad), 1e-9);
    checkGradient(loss, s, t, grad, 0.5);
  }

  @Test
  void meanSquaredErrorAndGradient() {
    Random r = new Random(3);
    float[] s = gaussian(r, 7, 1);
    float[] t = gaussian(r, 7, 1);
    double expected = 0;
    for (int i = 0; i < 7; i++) {
      expected += (s[i] - t[i]) * (double) (s[i] - t[i]) / 7;
    }
    DistillationLoss loss = new DistillationLoss(false, 7, 1, 1);
    float[] grad = new float[7];
    assertEquals(expected, loss.gradient(s, t, 2, grad), 1e-9);
    checkGradient(loss, s, t, grad, 2);
  }

  private static void checkGradient(DistillationLoss loss, float[] s, float[] t, float[] grad, double scale) {
    for (int i = 0; i < s.length; i++) {
      float h = Math.max(1e-2f, Math.abs(s[i]) * 1e-3f);
      float[] plus = s.clone();
      float[] minus = s.clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric = scale * (loss.gradient(plus, t, 1, new float[s.length]) - loss.gradient(minus, t, 1, new float[s.length]))
          / (plus[i] - minus[i]);
      assertEquals(numeric, grad[i], 1e-4 + 1e-3 * Math.abs(numeric), "d/ds[" + i + "]");
    }
  }

  @Test
  void spreadIsTheRootMeanSquareOfTheRowsStandardDeviations() {
    // rows {1, 3} (sd 1) and {0, 4} (sd 2): sqrt((1 + 4) / 2)
    assertEquals(Math.sqrt(2.5), DistillationLoss.spread(List.of(new float[] {1, 3}, new float[] {0, 4}), 2), 1e-12);
  }
}
