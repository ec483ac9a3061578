package dev.whittle.runtime.ops;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.OpRegistry;
import java.util.List;

/** Identity and the four arithmetic ops; the pattern other op families follow. */
public final class BasicOps {
  private BasicOps() {}

  public static void register(OpRegistry r) {
    r.register("Identity", node -> (in, ctx) -> new Object[] {in[0]}, ctx -> java.util.Collections.singletonList(ctx.inputType(0)));
    r.register("Add", node -> (in, ctx) -> new Object[] {
        Elementwise.binary((Tensor) in[0], (Tensor) in[1], Float::sum, Double::sum, Long::sum)}, Inference::broadcastBinary);
    r.register("Sub", node -> (in, ctx) -> new Object[] {
        Elementwise.binary((Tensor) in[0], (Tensor) in[1], (a, b) -> a - b, (a, b) -> a - b, (a, b) -> a - b)}, Inference::broadcastBinary);
    r.register("Mul", node -> (in, ctx) -> new Object[] {
        Elementwise.binary((Tensor) in[0], (Tensor) in[1], (a, b) -> a * b, (a, b) -> a * b, (a, b) -> a * b)}, Inference::broadcastBinary);
    r.register("Div", node -> (in, ctx) -> new Object[] {
        Elementwise.binary((Tensor) in[0], (Tensor) in[1], (a, b) -> a / b, (a, b) -> a / b, BasicOps::integerDivide)}, Inference::broadcastBinary);
  }

  /** Integer division truncates toward zero (C semantics, as ONNX Runtime); x/0 is an error. */
  private static long integerDivide(long a, long b) {
    if (b == 0) {
      throw new ArithmeticException("integer division by zero");
    }
    return a / b;
  }

  static List<Type> unused(InferenceContext ctx) {
    return List.of();
  }
}
