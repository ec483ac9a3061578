package dev.whittle.runtime.ops;

import dev.whittle.ir.Shape;
import dev.whittle.ir.WhittleException;

/** Shape arithmetic shared by the ops: sizes, strides, broadcasting and axis normalization. */
public final class Shapes {
  private Shapes() {}

  public static int size(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return Math.toIntExact(n);
  }

  /** Row-major strides in elements. */
  public static int[] strides(long[] dims) {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc = Math.multiplyExact(acc, Math.toIntExact(dims[i]));
    }
    return s;
  }

  /** Multidirectional (numpy) broadcast of shapes; throws when they are incompatible. */
  public static long[] broadcast(long[]... shapes) {
    int rank = 0;
    for (long[] s : shapes) {
      rank = Math.max(rank, s.length);
    }
    long[] out = new long[rank];
    java.util.Arrays.fill(out, 1);
    for (long[] s : shapes) {
      for (int i = 0; i < s.length; i++) {
        int o = rank - s.length + i;
        long d = s[i];
        if (out[o] == 1) {
          out[o] = d;
        } else if (d != 1 && d != out[o]) {
          StringBuilder all = new StringBuilder();
          for (long[] x : shapes) {
            all.append(all.length() == 0 ? "" : " and ").append(Shape.format(x));
          }
          throw WhittleException.builder("shapes cannot be broadcast together")
              .expected("dimensions equal or 1").found(all.toString()).build();
        }
      }
    }
    return out;
  }

  /**
   * For every element of {@code out} (row-major), the index of the element of {@code in} that
   * broadcasting reads; {@code in} must be broadcastable to {@code out}.
   */
  public static int[] broadcastIndex(long[] in, long[] out) {
    int n = size(out);
    int[] idx = new int[n];
    int rank = out.length;
    int offset = rank - in.length;
    int[] inStrides = new int[rank];
    int[] inAll = strides(in);
    for (int i = 0; i < in.length; i++) {
      inStrides[offset + i] = in[i] == 1 ? 0 : inAll[i];
    }
    if (n == 0) {
      return idx;
    }
    int[] counter = new int[rank];
    int pos = 0;
    for (int i = 0; i < n; i++) {
      idx[i] = pos;
      for (int d = rank - 1; d >= 0; d--) {
        if (++counter[d] < out[d]) {
          pos += inStrides[d];
          break;
        }
        pos -= inStrides[d] * (counter[d] - 1);
        counter[d] = 0;
      }
    }
    return idx;
  }

  /** Normalizes a possibly negative axis into [0, rank); throws naming the valid range. */
  public static int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw WhittleException.builder("axis out of range")
          .expected("an axis in [" + (-rank) + ", " + (rank - 1) + "]").found(Long.toString(axis)).build();
    }
    return (int) a;
  }

  /** Product of the dims before {@code axis} (the number of independent slices in front of it). */
  public static int outerSize(long[] dims, int axis) {
    int n = 1;
    for (int i = 0; i < axis; i++) {
      n *= (int) dims[i];
    }
    return n;
  }

  /** Product of the dims after {@code axis} (the stride of one step along it). */
  public static int innerSize(long[] dims, int axis) {
    int n = 1;
    for (int i = axis + 1; i < dims.length; i++) {
      n *= (int) dims[i];
    }
    return n;
  }

  public static boolean sameShape(long[] a, long[] b) {
    return java.util.Arrays.equals(a, b);
  }
}
