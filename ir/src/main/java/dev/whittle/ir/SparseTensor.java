package dev.whittle.ir;

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
