package dev.whittle.quantization;

import dev.whittle.ir.Model;
import dev.whittle.ir.WhittleException;
import dev.whittle.passes.Optimizer;
import java.util.List;
import java.util.Map;

/**
 * Raises a model's default-domain opset when the quantized form needs a newer one
 * (QuantizeLinear/DequantizeLinear need 10, their per-channel {@code axis} 13,
 * DynamicQuantizeLinear 11) with the optimizer's {@code convert-opset} pass, which rewrites every
 * node whose definition changed in between (Slice's attributes becoming inputs at 10, Clip's at 11,
 * Squeeze's axes at 13, Softmax's axis semantics at 13, ...) so the model means the same, or
 * refuses naming the nodes it cannot convert.
 */
final class Opsets {
  private Opsets() {}

  /** Why the opset cannot be raised to {@code target}, or null when it is high enough or was raised (in place). */
  static String ensure(Model model, long target) {
    if (model.defaultOpset() >= target) {
      return null;
    }
    Model converted;
    try {
      converted = Optimizer.run(model, List.of("convert-opset"),
          Optimizer.Settings.defaults().withPassOptions(Map.of("convert-opset", Map.of("to", Long.toString(target))))).model();
    } catch (WhittleException e) {
      return e.getMessage();
    }
    model.setGraph(converted.graph());
    model.functions().clear();
    model.functions().addAll(converted.functions());
    model.opsetImports().clear();
    model.opsetImports().putAll(converted.opsetImports());
    model.setIrVersion(converted.irVersion());
    return null;
  }
}
