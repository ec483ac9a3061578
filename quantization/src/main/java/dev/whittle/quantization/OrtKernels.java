package dev.whittle.quantization;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.Map;
import java.util.Set;

/**
 * The integer-op/type combinations ONNX Runtime's CPU execution provider has kernels for (its
 * OperatorKernels.md, 1.2x), for the quantization ops this module writes, checked before a
 * quantized model is handed out. The quantizers only emit supported forms (e.g. no ConvInteger,
 * whose CPU kernel takes uint8 weights only); this check keeps it that way.
 */
final class OrtKernels {
  private OrtKernels() {}

  private static final Set<DType> EIGHT_BIT = Set.of(DType.UINT8, DType.INT8);

  /** Since which opset each op has a CPU kernel. */
  private static final Map<String, Integer> SINCE = Map.of("QuantizeLinear", 10, "DequantizeLinear", 10, "DynamicQuantizeLinear", 11,
      "MatMulInteger", 10, "QLinearConv", 10, "QLinearMatMul", 10);

  /** Throws when a quantization op of {@code m} has no ONNX Runtime CPU kernel for its types. */
  static void require(Model m) {
    String problem = check(m);
    if (problem != null) {
      throw WhittleException.builder("the quantized model would not run in ONNX Runtime: " + problem)
          .expected("only node/type combinations ONNX Runtime's CPU provider implements").build();
    }
  }

  static String check(Model m) {
    long opset = m.defaultOpset();
    for (Node n : m.graph().nodes()) {
      // integer ops keep 8-bit tensors through MaxPool, whose CPU kernel takes them from opset 12 only
      if (n.is("MaxPool") && opset < 12 && EIGHT_BIT.contains(type(n.input(0)))) {
        return n.label() + " pools " + name(type(n.input(0))) + ", which needs opset 12 (model: " + opset + ")";
      }
      Integer since = SINCE.get(n.opType());
      if (since == null || !n.isStandard()) {
        continue;
      }
      if (opset < since) {
        return n.label() + " needs opset " + since + " (model: " + opset + ")";
      }
      switch (n.opType()) {
        case "QuantizeLinear" -> {
          DType t = n.inputs().size() > 2 ? type(n.input(2)) : DType.UINT8;
          if (!EIGHT_BIT.contains(t) || type(n.input(0)) != DType.FLOAT) {
            return n.label() + " quantizes " + name(type(n.input(0))) + " to " + name(t);
          }
          if (n.hasAttribute("axis") && opset < 13) {
            return n.label() + " is per-axis, which needs opset 13";
          }
        }
        case "DequantizeLinear" -> {
          DType t = type(n.input(0));
          if (!(EIGHT_BIT.contains(t) || t == DType.INT32)) {
            return n.label() + " dequantizes " + name(t);
          }
          if (n.hasAttribute("axis") && opset < 13) {
            return n.label() + " is per-axis, which needs opset 13";
          }
        }
        case "MatMulInteger" -> {
          DType a = type(n.input(0));
          DType b = type(n.input(1));
          if (!EIGHT_BIT.contains(a) || !EIGHT_BIT.contains(b)) {
            return n.label() + " multiplies " + name(a) + " by " + name(b);
          }
        }
        case "QLinearConv", "QLinearMatMul" -> {
          DType x = type(n.input(0));
          DType w = type(n.input(3));
          DType y = type(n.input(7));
          if (!EIGHT_BIT.contains(x) || !EIGHT_BIT.contains(w) || x != y) {
            return n.label() + " takes " + name(x) + " × " + name(w) + " to " + name(y);
          }
        }
        default -> { }
      }
    }
    return null;
  }

  /** The element type of an initializer or a value produced by a quantization op (null when unknown). */
  private static DType type(Value v) {
    if (v == null) {
      return null;
    }
    if (v.isInitializer()) {
      return v.initializer().dtype();
    }
    if (v.tensorType() != null) {
      return v.tensorType().elementType();
    }
    Node p = v.producer();
    if (p == null) {
      return null;
    }
    return switch (p.opType()) {
      case "DynamicQuantizeLinear" -> p.outputs().indexOf(v) == 1 ? DType.FLOAT : DType.UINT8;
      case "QuantizeLinear" -> p.inputs().size() > 2 ? type(p.input(2)) : DType.UINT8;
      case "Cast" -> DType.fromCode((int) p.intAttr("to", 0));
      case "DequantizeLinear" -> DType.FLOAT;
      case "QLinearConv", "QLinearMatMul" -> type(p.input(7));
      case "MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze" -> type(p.input(0));
      case "Gather" -> type(p.input(0));
      default -> DType.FLOAT;
    };
  }

  private static String name(DType t) {
    return t == null ? "an unknown type" : t.displayName();
  }
}
