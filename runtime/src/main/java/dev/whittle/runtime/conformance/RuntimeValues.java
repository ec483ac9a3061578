package dev.whittle.runtime.conformance;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.OptionalValue;
import dev.whittle.runtime.SequenceValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Converts test-data values to runtime values and compares runtime values of any kind. */
final class RuntimeValues {
  private RuntimeValues() {}

  /** Tensor stays; {@code List} becomes a {@link SequenceValue}; {@code Optional} an {@link OptionalValue}. */
  static Object fromTestData(Object value, Type declared) {
    if (value instanceof List<?> items) {
      Type elem = declared instanceof Type.SequenceType st ? st.elementType()
          : declared instanceof Type.OptionalType ot && ot.elementType() instanceof Type.SequenceType st2 ? st2.elementType() : null;
      List<Tensor> tensors = new ArrayList<>();
      for (Object o : items) {
        tensors.add((Tensor) o);
      }
      DType dt = elem instanceof Type.TensorType tt ? tt.elementType()
          : tensors.isEmpty() ? DType.UNDEFINED : tensors.get(0).dtype();
      return new SequenceValue(dt, tensors);
    }
    if (value instanceof Optional<?> opt) {
      Type inner = declared instanceof Type.OptionalType ot ? ot.elementType() : null;
      return opt.isEmpty() ? OptionalValue.EMPTY : new OptionalValue(fromTestData(opt.get(), inner));
    }
    return value;
  }

  /** Null when equal within tolerance, else a description of the difference. */
  static String compare(Object expected, Object actual, double rtol, double atol) {
    if (actual == null) {
      return "no value";
    }
    if (expected instanceof Tensor e) {
      Object a = actual instanceof OptionalValue o && o.isPresent() ? o.value() : actual;
      return a instanceof Tensor t ? OutputComparison.compare(e, t, rtol, atol) : "a " + a + ", expected a tensor";
    }
    if (expected instanceof SequenceValue e) {
      Object a = actual instanceof OptionalValue o && o.isPresent() ? o.value() : actual;
      if (!(a instanceof SequenceValue s)) {
        return "a " + a + ", expected a sequence";
      }
      if (s.items().size() != e.items().size()) {
        return "sequence of " + s.items().size() + ", expected " + e.items().size();
      }
      for (int i = 0; i < e.items().size(); i++) {
        String d = OutputComparison.compare(e.items().get(i), s.items().get(i), rtol, atol);
        if (d != null) {
          return "sequence item " + i + ": " + d;
        }
      }
      return null;
    }
    if (expected instanceof OptionalValue e) {
      if (!(actual instanceof OptionalValue a)) {
        return e.isPresent() ? compare(e.value(), actual, rtol, atol) : "a value, expected an empty optional";
      }
      if (e.isPresent() != a.isPresent()) {
        return a.isPresent() ? "a value, expected an empty optional" : "empty, expected a value";
      }
      return e.isPresent() ? compare(e.value(), a.value(), rtol, atol) : null;
    }
    return "cannot compare " + expected;
  }
}
