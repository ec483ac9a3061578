package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.List;

/**
 * Type-agnostic data movement: builds a tensor whose element i is element {@code source[i]} of
 * another tensor. Ops that only move data (Transpose, Slice, Gather, Expand, Tile, ...) compute
 * the index map and call this, so one implementation serves every element type.
 */
final class Elements {
  private Elements() {}

  static Tensor select(Tensor t, int[] source, long[] dims) {
    DType dt = t.dtype();
    if (dt == DType.STRING) {
      List<byte[]> s = t.strings();
      List<byte[]> out = new ArrayList<>(source.length);
      for (int i : source) {
        out.add(s.get(i));
      }
      return Tensor.ofStrings(dims, out);
    }
    if (dt.isSubByte()) {
      long[] v = Casts.toLongs(t);
      long[] out = new long[source.length];
      for (int i = 0; i < source.length; i++) {
        out[i] = v[source[i]];
      }
      return Casts.fromLongs(dt, dims, out);
    }
    int es = dt.bits() / 8;
    byte[] in = t.bytesView();
    byte[] out = new byte[source.length * es];
    if (es == 1) {
      for (int i = 0; i < source.length; i++) {
        out[i] = in[source[i]];
      }
    } else {
      for (int i = 0; i < source.length; i++) {
        System.arraycopy(in, source[i] * es, out, i * es, es);
      }
    }
    return Tensor.wrapBytes(dt, dims, out);
  }

  /** A tensor of {@code count} copies of element 0 of {@code value} (for ConstantOfShape, Pad). */
  static Tensor fill(Tensor value, long[] dims) {
    int n = Math.toIntExact(Tensor.elementCount(dims));
    return select(value, new int[n], dims);
  }

  /** The int64/int32 values of an index-like tensor. */
  static long[] longs(Tensor t) {
    return Casts.toLongs(t);
  }
}
