package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The exact float-chunked integer GEMM against a plain int32 triple loop (the scalar twin). */
class IntegerGemmTest {
  /** Random integers in [-255, 255]; "signs": only ±255; "max": only 255, the worst case for a chunk's 2^24 bound. */
  private static float[] values(int count, SplittableRandom r, String kind) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = switch (kind) {
        case "max" -> 255;
        case "signs" -> r.nextBoolean() ? 255 : -255;
        default -> r.nextInt(-255, 256);
      };
    }
    return v;
  }

  private static int[] reference(int m, int n, int k, float[] a, float[] b) {
    int[] c = new int[m * n];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) {
          c[i * n + j] += (int) a[i * k + p] * (int) b[p * n + j];
        }
      }
    }
    return c;
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} values={3}")
  @CsvSource({"1,1,1,random", "5,33,255,random", "16,384,384,random", "7,17,1536,signs", "4,32,256,max", "3,5,1537,max",
      "9,40,1000,random"})
  void matchesTheIntegerProductExactly(int m, int n, int k, String extremes) {
    SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
    float[] a = values(m * k + 3, r, extremes);
    float[] b = values(k * n, r, extremes);
    float[] aAt0 = java.util.Arrays.copyOfRange(a, 3, a.length);
    int[] out = new int[m * n + 2];
    out[0] = 42;
    IntegerGemm.pack(k, n, b, 0).multiply(m, a, 3, out, 2);
    int[] expected = new int[m * n + 2];
    expected[0] = 42;
    System.arraycopy(reference(m, n, k, aAt0, b), 0, expected, 2, m * n);
    assertArrayEquals(expected, out);
  }

  @Test
  void refusesOperandsOutsideTheExactRange() {
    assertThrows(IllegalArgumentException.class, () -> IntegerGemm.pack(1, 2, new float[] {1, 256}, 0));
    assertThrows(IllegalArgumentException.class, () -> IntegerGemm.pack(1, 1, new float[] {0.5f}, 0));
  }
}
