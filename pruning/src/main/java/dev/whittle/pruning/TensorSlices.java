package dev.whittle.pruning;

import dev.whittle.ir.Tensor;
import java.lang.foreign.MemorySegment;

/** Keeps chosen positions of one axis of a tensor (any fixed-width element type), as a new tensor. */
final class TensorSlices {
  private TensorSlices() {}

  /** The tensor with only positions {@code keep} (ascending) of {@code axis}. */
  static Tensor keep(Tensor t, int axis, int[] keep) {
    if (t.dtype().isSubByte() || t.dtype().bits() == 0) {
      throw new IllegalArgumentException(t.dtype().displayName() + " tensors are not sliced");
    }
    long[] dims = t.dims();
    long outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= dims[i];
    }
    long inner = t.dtype().byteSize(1);
    for (int i = axis + 1; i < dims.length; i++) {
      inner *= dims[i];
    }
    long[] out = dims.clone();
    out[axis] = keep.length;
    MemorySegment src = t.data();
    MemorySegment dst = MemorySegment.ofArray(new byte[Math.toIntExact(Tensor.elementCount(out) * t.dtype().byteSize(1))]);
    long at = 0;
    for (long o = 0; o < outer; o++) {
      long base = o * dims[axis] * inner;
      for (int k : keep) {
        MemorySegment.copy(src, base + k * inner, dst, at, inner);
        at += inner;
      }
    }
    return Tensor.of(t.dtype(), out, dst);
  }
}
