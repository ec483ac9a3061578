package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/** The second-order sweep against independent linear algebra (commons-math3) on synthetic layers. */
class ObsPrunerTest {
  /** Rows of correlated inputs: x = z·A for standard normal z, so XᵀX is far from diagonal. */
  private static double[][] correlatedRows(int rows, int k, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] a = new double[k][k];
    for (double[] row : a) {
      for (int j = 0; j < k; j++) {
        row[j] = r.nextDouble(-1, 1);
      }
    }
    double[][] x = new double[rows][k];
    for (double[] row : x) {
      double[] z = new double[k];
      for (int j = 0; j < k; j++) {
        z[j] = gaussian(r);
      }
      for (int j = 0; j < k; j++) {
        double s = 0;
        for (int i = 0; i < k; i++) {
          s += z[i] * a[i][j];
        }
        row[j] = s;
      }
    }
    return x;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static double[][] gram(double[][] x, double damping) {
    int k = x[0].length;
    double[][] h = new double[k][k];
    for (double[] row : x) {
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          h[i][j] += row[i] * row[j];
        }
      }
    }
    for (int i = 0; i < k; i++) {
      h[i][i] += damping;
    }
    return h;
  }

  @Test
  void inverseFactorMultipliesBackToTheInverse() {
    double[][] h = gram(correlatedRows(200, 37, 1), 0.1);
    double[][] u = InverseFactor.of(h);
    RealMatrix inv = new CholeskyDecomposition(new Array2DRowRealMatrix(h)).getSolver().getInverse();
    RealMatrix um = new Array2DRowRealMatrix(u);
    RealMatrix back = um.transpose().multiply(um);
    for (int i = 0; i < h.length; i++) {
      for (int j = 0; j < h.length; j++) {
        if (j < i) {
          assertEquals(0, u[i][j], "U is upper triangular");
        }
        assertEquals(inv.getEntry(i, j), back.getEntry(i, j), 1e-9 * Math.abs(inv.getEntry(i, i)), i + "," + j);
      }
    }
  }

  /** ‖X(W − W₀)‖² summed over outputs, for W and W₀ as [outputs][inputs]. */
  private static double error(double[][] x, double[][] w, double[][] w0) {
    double sum = 0;
    for (double[] row : x) {
      for (int o = 0; o < w.length; o++) {
        double d = 0;
        for (int i = 0; i < row.length; i++) {
          d += row[i] * (w[o][i] - w0[o][i]);
        }
        sum += d * d;
      }
    }
    return sum;
  }

  @Test
  void sweepPrunesToTheSparsityAndBeatsMagnitudeWithAnExactRefit() {
    int k = 300;
    int n = 6;
    double[][] x = correlatedRows(1000, k, 2);
    double[][] h = gram(x, 1e-6);
    SplittableRandom r = new SplittableRandom(3);
    double[][] w0 = new double[n][k];
    for (double[] row : w0) {
      for (int i = 0; i < k; i++) {
        row[i] = gaussian(r);
      }
    }
    double[][] w = new double[n][];
    for (int o = 0; o < n; o++) {
      w[o] = w0[o].clone();
    }
    boolean[][] pruned = ObsPruner.sweep(w, InverseFactor.of(h), new boolean[n][k], PruningOptions.of(0.5), k);
    int count = 0;
    for (int o = 0; o < n; o++) {
      for (int i = 0; i < k; i++) {
        count += pruned[o][i] ? 1 : 0;
        if (pruned[o][i]) {
          assertEquals(0, w[o][i]);
        }
      }
    }
    assertEquals(n * k / 2, count);
    // reference: per output, the half of largest |w| kept and refit exactly (commons-math3 Cholesky on the kept inputs)
    boolean[][] byMagnitude = new boolean[n][k];
    for (int o = 0; o < n; o++) {
      Integer[] idx = new Integer[k];
      for (int i = 0; i < k; i++) {
        idx[i] = i;
      }
      double[] row = w0[o];
      java.util.Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(row[b]), Math.abs(row[a])));
      for (int i = k / 2; i < k; i++) {
        byMagnitude[o][idx[i]] = true;
      }
    }
    double obs = error(x, w, w0);
    double obsRefit = error(x, refit(h, w0, pruned), w0);
    double magnitude = error(x, refit(h, w0, byMagnitude), w0);
    System.out.printf("50%% of a correlated 300-input layer: reconstruction error OBS %.4g, OBS mask + exact refit %.4g,"
        + " magnitude + exact refit %.4g%n", obs, obsRefit, magnitude);
    assertTrue(obsRefit < magnitude, obsRefit + " vs " + magnitude);
  }

  private static double[][] refit(double[][] h, double[][] w0, boolean[][] pruned) {
    int n = w0.length;
    int k = h.length;
    double[][] ref = new double[n][k];
    for (int o = 0; o < n; o++) {
      double[] row = w0[o];
      int out = o;
      int[] s = java.util.stream.IntStream.range(0, k).filter(i -> !pruned[out][i]).toArray();
      double[][] sub = new double[s.length][s.length];
      double[] rhs = new double[s.length];
      for (int a = 0; a < s.length; a++) {
        for (int b = 0; b < s.length; b++) {
          sub[a][b] = h[s[a]][s[b]];
        }
        for (int j = 0; j < k; j++) {
          rhs[a] += h[s[a]][j] * row[j];
        }
      }
      double[] sol = new CholeskyDecomposition(new Array2DRowRealMatrix(sub)).getSolver()
          .solve(new org.apache.commons.math3.linear.ArrayRealVector(rhs)).toArray();
      for (int a = 0; a < s.length; a++) {
        ref[o][s[a]] = sol[a];
      }
    }
    return ref;
  }

  @Test
  void twoOfFourPrunesTwoOfEveryFourInputsAndEarlierPrunedWeightsStayPruned() {
    int k = 40;
    int n = 5;
    double[][] x = correlatedRows(300, k, 4);
    double[][] u = InverseFactor.of(gram(x, 1e-3));
    SplittableRandom r = new SplittableRandom(5);
    double[][] w = new double[n][k];
    for (double[] row : w) {
      for (int i = 0; i < k; i++) {
        row[i] = gaussian(r);
      }
    }
    boolean[][] before = new boolean[n][k];
    before[2][7] = true; // pruned at an earlier step: must stay pruned whatever its saliency now
    boolean[][] pruned = ObsPruner.sweep(w, u, before, PruningOptions.of(0.5).withPattern(PruningOptions.Pattern.TWO_FOUR), k);
    for (int o = 0; o < n; o++) {
      for (int g = 0; g < k; g += 4) {
        int count = 0;
        for (int i = g; i < g + 4; i++) {
          count += pruned[o][i] ? 1 : 0;
        }
        assertEquals(2, count, "output " + o + ", inputs " + g + ".." + (g + 3));
      }
    }
    assertTrue(pruned[2][7]);
    // unstructured, with a bias-like last input that is never pruned
    double[][] w2 = new double[n][k];
    for (double[] row : w2) {
      for (int i = 0; i < k; i++) {
        row[i] = gaussian(r);
      }
    }
    boolean[][] gone = ObsPruner.sweep(w2, u, new boolean[n][k], PruningOptions.of(0.75), k - 1);
    int count = 0;
    for (int o = 0; o < n; o++) {
      assertTrue(!gone[o][k - 1], "the last input is not prunable");
      for (int i = 0; i < k - 1; i++) {
        count += gone[o][i] ? 1 : 0;
      }
    }
    assertEquals(Math.round(0.75 * n * (k - 1)), count);
  }
}
