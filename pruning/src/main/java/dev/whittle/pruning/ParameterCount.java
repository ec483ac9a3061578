package dev.whittle.pruning;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.runtime.ops.Casts;

/** Parameter counts of a model's main graph: elements of its numeric initializers (dense and sparse), and how many are non-zero. */
public record ParameterCount(long total, long nonZero) {
  public static ParameterCount of(Model model) {
    long total = 0;
    long nonZero = 0;
    for (Value v : model.graph().initializers()) {
      if (numeric(v.initializer().dtype())) {
        total += v.initializer().elementCount();
        nonZero += nonZero(v);
      }
    }
    for (Value v : model.graph().sparseInitializers()) {
      if (numeric(v.sparseInitializer().values().dtype())) {
        total += Tensor.elementCount(v.sparseInitializer().dims());
        nonZero += nonZero(v);
      }
    }
    return new ParameterCount(total, nonZero);
  }

  /** Non-zero elements of a numeric constant, dense or sparse (a sparse one may store zeros among its values). */
  public static long nonZero(Value constant) {
    Tensor t = constant.initializer() != null ? constant.initializer() : constant.sparseInitializer().values();
    long n = 0;
    for (double x : Casts.toDoubles(t)) {
      n += x != 0 ? 1 : 0;
    }
    return n;
  }

  /** Whole-byte integer and float element types (what {@link #nonZero} can read). */
  static boolean numeric(DType t) {
    return (t.isInteger() || t == DType.FLOAT || t == DType.DOUBLE || t == DType.FLOAT16 || t == DType.BFLOAT16) && t.bits() % 8 == 0;
  }
}
