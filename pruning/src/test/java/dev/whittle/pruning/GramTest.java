package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The chunked SGEMM Gram matrix against a plain double-precision sum. */
class GramTest {
  @Test
  void matchesADoubleSumAcrossChunksWithAndWithoutBias() {
    SplittableRandom r = new SplittableRandom(11);
    int k = 19;
    int rows = 2 * Gram.CHUNK + 37; // two full chunks and a partial one
    for (boolean bias : new boolean[] {false, true}) {
      Gram g = new Gram(k, bias);
      int dim = k + (bias ? 1 : 0);
      double[][] expected = new double[dim][dim];
      for (int n = 0; n < rows; n++) {
        float[] x = new float[k];
        float[] y = new float[k];
        for (int i = 0; i < k; i++) {
          x[i] = (float) r.nextDouble(-3, 3);
          y[i] = (float) r.nextDouble(-3, 3);
        }
        g.add(x, y);
        for (int i = 0; i < dim; i++) {
          for (int j = 0; j < dim; j++) {
            expected[i][j] += (i < k ? x[i] : 1.0) * (j < k ? y[j] : 1.0);
          }
        }
      }
      assertEquals(rows, g.rows());
      double[][] got = g.result();
      for (int i = 0; i < dim; i++) {
        for (int j = 0; j < dim; j++) {
          // float products summed over a 256-row chunk: relative error well under 1e-5 of the row count's scale
          assertEquals(expected[i][j], got[i][j], 1e-4 * rows, "bias=" + bias + " at " + i + "," + j);
        }
      }
    }
  }
}
