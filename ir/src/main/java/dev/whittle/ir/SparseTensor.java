package dev.whittle.ir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * ONNX {@code SparseTensorProto}: the non-zero values, their indices (either [NNZ] linearized or
 * [NNZ, rank] coordinates, int64) and the dense shape.
 */
public record SparseTensor(Tensor values, Tensor indices, long[] dims) {
  public SparseTensor {
    Objects.requireNonNull(values);
    Objects.requireNonNull(indices);
    dims = dims.clone();
  }

  /**
   * The coordinate (COO) form of {@code dense}: its elements whose bytes are not all zero, and their
   * linearized int64 indices [NNZ] in ascending order (so -0.0 and NaN count as values: densifying
   * gives back exactly the same bytes). Element types of whole bytes only (not strings, not 4-bit).
   */
  public static SparseTensor of(Tensor dense) {
    DType dt = dense.dtype();
    if (dt == DType.STRING || dt == DType.UNDEFINED || dt.bits() % 8 != 0) {
      throw WhittleException.builder("cannot store a " + dt.displayName() + " tensor as a sparse tensor")
          .expected("an element type of whole bytes").build();
    }
    int size = dt.bits() / 8;
    MemorySegment data = dense.data();
    long n = dense.elementCount();
    long[] idx = new long[Math.toIntExact(n)];
    int nnz = 0;
    for (long i = 0; i < n; i++) {
      boolean zero = true;
      for (int b = 0; b < size && zero; b++) {
        zero = data.get(ValueLayout.JAVA_BYTE, i * size + b) == 0;
      }
      if (!zero) {
        idx[nnz++] = i;
      }
    }
    byte[] values = new byte[Math.toIntExact((long) nnz * size)];
    for (int k = 0; k < nnz; k++) {
      MemorySegment.copy(data, ValueLayout.JAVA_BYTE, idx[k] * size, values, k * size, size);
    }
    Tensor v = Tensor.builder(dt, nnz).data(MemorySegment.ofArray(values)).name(dense.name()).build();
    return new SparseTensor(v, Tensor.ofLongs(new long[] {nnz}, Arrays.copyOf(idx, nnz)), dense.dims());
  }

  /** Bytes of the raw values plus the int64 indices: what the sparse form stores per tensor, without protobuf framing. */
  public long byteSize() {
    return values.byteSize() + indices.byteSize();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseTensor s
        && s.values.equals(values)
        && s.indices.equals(indices)
        && Arrays.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, indices, Arrays.hashCode(dims));
  }

  @Override
  public String toString() {
    return "SparseTensor " + values.dtype().displayName() + Shape.format(dims) + " nnz=" + values.elementCount();
  }
}
