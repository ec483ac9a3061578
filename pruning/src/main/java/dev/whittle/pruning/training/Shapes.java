package dev.whittle.pruning.training;

/** Dims arithmetic on int arrays. */
final class Shapes {
  private Shapes() {}

  static int size(int[] d) {
    int n = 1;
    for (int v : d) {
      n *= v;
    }
    return n;
  }

  /** Product of dims [from, to). */
  static int size(int[] d, int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) {
      n *= d[i];
    }
    return n;
  }

  static int[] ints(long[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.toIntExact(a[i]);
    }
    return out;
  }

  static long[] longs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
