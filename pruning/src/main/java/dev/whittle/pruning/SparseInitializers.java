package dev.whittle.pruning;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.SparseTensor;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.ops.tensor.ShapeOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a pruned model stores its weights: densely (zeros and all), or as ONNX
 * {@code sparse_initializer}s — the non-zero values plus one int64 linearized index each (the
 * 1-D COO form of the ONNX spec). A float32 weight costs 4 bytes per element densely and 12 bytes
 * per non-zero sparsely, so the sparse form is smaller only below 1/3 density (above ~67%
 * sparsity); for int8 values (9 bytes per non-zero against 1) only above ~89%.
 *
 * <p>ONNX Runtime densifies sparse initializers when it loads a model, and so does Whittle's
 * runtime: the saving is on disk and in transfer, not in compute or memory at run time. Other
 * tools may not read {@code sparse_initializer} at all, which is why dense is the default.
 */
public final class SparseInitializers {
  private SparseInitializers() {}

  /**
   * {@code dense}: every weight dense; {@code sparse}: every pruned weight sparse, whatever the
   * size; {@code auto}: every floating-point initializer whose sparse form is smaller than its dense
   * form. Integer initializers stay dense: they are shapes, axes and indices, which shape inference
   * (Whittle's among others) only sees through when they are plain constants.
   */
  public enum Format {
    DENSE, SPARSE, AUTO;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Format parse(String s) {
      for (Format f : values()) {
        if (f.id().equals(s)) {
          return f;
        }
      }
      throw WhittleException.builder("unknown sparse format '" + s + "'").expected("dense, sparse or auto").build();
    }
  }

  /** One initializer considered: its dense and sparse sizes (raw bytes) and whether it was stored sparse. */
  public record Choice(String name, long denseBytes, long sparseBytes, boolean sparse) {}

  /**
   * Stores the chosen initializers of {@code model} (changed in place) as sparse initializers.
   * {@code pruned} names the pruned weights (what {@code sparse} converts). Initializers that are
   * also graph inputs (overridable defaults) and element types that are not whole bytes stay dense.
   * Returns a choice for every candidate, in initializer order.
   */
  public static List<Choice> apply(Model model, Format format, Set<String> pruned) {
    List<Choice> out = new ArrayList<>();
    if (format == Format.DENSE) {
      return out;
    }
    for (Value v : List.copyOf(model.graph().initializers())) {
      Tensor t = v.initializer();
      boolean candidate = format == Format.AUTO ? t.dtype().isFloatingPoint() : pruned.contains(v.name());
      if (!candidate || v.isGraphInput() || t.dtype() == DType.STRING || t.dtype() == DType.UNDEFINED || t.dtype().bits() % 8 != 0) {
        continue;
      }
      SparseTensor s = SparseTensor.of(t);
      boolean sparse = format == Format.SPARSE || s.byteSize() < t.byteSize();
      if (sparse) {
        model.graph().removeInitializer(v);
        model.graph().setSparseInitializer(v, s);
      }
      out.add(new Choice(v.name(), t.byteSize(), s.byteSize(), sparse));
    }
    return out;
  }

  /**
   * Turns every sparse initializer of the main graph back into a dense initializer (in place), so
   * that passes and pruning see the weights as constants. Returns how many were converted.
   */
  public static int densify(Model model) {
    List<Value> sparse = List.copyOf(model.graph().sparseInitializers());
    for (Value v : sparse) {
      Tensor dense = ShapeOps.densify(v.sparseInitializer());
      model.graph().removeSparseInitializer(v);
      model.graph().setInitializer(v, dense);
    }
    return sparse.size();
  }
}
