package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both SGEMMs against a double-precision reference, with the standard rounding-error bound for a
 * float dot product of length k: |computed - exact| <= gamma_k * sum |a||b|, gamma_k = k·u/(1-k·u).
 */
class SgemmTest {
  private static final double U = Math.ulp(1.0f) / 2;

  private static final Sgemm SIMD = VectorKernels.sgemm();
  private static final Sgemm SCALAR = new ScalarSgemm();

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Checks C against the exact product computed in double, per element with its own bound. */
  private static void check(int m, int n, int k, float alpha, float[] a, int aOff, int lda, boolean transA, float[] b, int bOff,
      int ldb, boolean transB, float beta, float[] c0, int cOff, int ldc, float[] c, String label) {
    double gamma = k * U / (1 - k * U) + U; // + U: the final alpha/beta update rounds once more
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double exact = 0;
        double abs = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          exact += av * bv;
          abs += Math.abs(av * bv);
        }
        int ci = cOff + i * ldc + j;
        double expected = alpha * exact + (beta == 0 ? 0 : beta * c0[ci]);
        double bound = gamma * (Math.abs(alpha) * abs + Math.abs(beta * c0[ci])) + 1e-30;
        assertTrue(Math.abs(c[ci] - expected) <= bound,
            label + " C[" + i + "," + j + "] = " + c[ci] + ", exact " + expected + ", bound " + bound);
      }
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @CsvSource({
      "1,1,1,false,false", "7,7,7,false,false", "31,33,17,false,false", "64,64,64,false,false",
      "129,65,300,false,false", "5,1021,3,false,false", "1021,2,9,false,false", "7,31,1021,false,false",
      "13,17,19,true,false", "13,17,19,false,true", "33,40,70,true,true", "2,9,600,true,false"})
  void bothImplementationsMatchTheExactProduct(int m, int n, int k, boolean transA, boolean transB) {
    int lda = (transA ? m : k) + 3;
    int ldb = (transB ? k : n) + 2;
    int ldc = n + 5;
    int rowsA = transA ? k : m;
    int rowsB = transB ? n : k;
    float[] a = random(2 + rowsA * lda, 1);
    float[] b = random(1 + rowsB * ldb, 2);
    float[] c0 = random(4 + m * ldc, 3);
    for (Sgemm g : new Sgemm[] {SIMD, SCALAR}) {
      for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 2f}, {-1.5f, 1f}}) {
        float[] c = c0.clone();
        g.multiply(m, n, k, ab[0], a, 2, lda, transA, b, 1, ldb, transB, ab[1], c, 4, ldc);
        check(m, n, k, ab[0], a, 2, lda, transA, b, 1, ldb, transB, ab[1], c0, 4, ldc, c, g.getClass().getSimpleName());
        for (int i = 0; i < 4; i++) {
          assertEquals(c0[i], c[i], "elements before the offset are untouched");
        }
      }
    }
  }

  @Test
  void betaZeroIgnoresNaNsInC() {
    float[] a = random(6, 4);
    float[] b = random(6, 5);
    for (Sgemm g : new Sgemm[] {SIMD, SCALAR}) {
      float[] c = new float[4];
      java.util.Arrays.fill(c, Float.NaN);
      g.multiply(2, 2, 3, 1f, a, 0, 3, false, b, 0, 2, false, 0f, c, 0, 2);
      for (float v : c) {
        assertTrue(Float.isFinite(v), g.getClass().getSimpleName());
      }
    }
  }

  @Test
  void packedRightHandSideIsReusable() {
    int m = 9;
    int n = 37;
    int k = 300;
    float[] b = random(k * n, 6);
    PackedMatrix packed = SIMD.pack(k, n, b, 0, n, false);
    for (long seed = 10; seed < 13; seed++) {
      float[] a = random(m * k, seed);
      float[] c = new float[m * n];
      SIMD.multiplyPacked(m, 1f, a, 0, k, false, packed, 0f, c, 0, n);
      check(m, n, k, 1f, a, 0, k, false, b, 0, n, false, 0f, new float[m * n], 0, n, c, "packed");
    }
  }
}
