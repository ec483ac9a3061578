package dev.whittle.runtime;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import java.util.List;

/** An ONNX sequence value: an ordered list of tensors of one element type. */
public record SequenceValue(DType elementType, List<Tensor> items) {
  public SequenceValue {
    items = List.copyOf(items);
  }

  @Override
  public String toString() {
    return "seq<" + elementType.displayName() + ">[" + items.size() + "]";
  }
}
