package dev.whittle.quantization;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import org.junit.jupiter.api.Test;

/** Node/type combinations without an ONNX Runtime CPU kernel are found before a model is handed out. */
class OrtKernelsTest {
  /** x → QuantizeLinear (uint8) → MaxPool → DequantizeLinear → y. */
  private static Model uint8MaxPool(long opset) {
    Graph g = new Graph("pool");
    Value x = QuantTestModels.input(g, "x", 1, 1, 4, 4);
    Value scale = g.addInitializer("scale", Tensor.ofFloats(new long[0], 0.1f));
    Value zp = g.addInitializer("zp", Tensor.ofBytes(dev.whittle.ir.DType.UINT8, new long[0], new byte[] {0}));
    Value q = g.newValue("q");
    QuantTestModels.node(g, "QuantizeLinear", "quantize", q, x, scale, zp);
    Value p = g.newValue("p");
    QuantTestModels.node(g, "MaxPool", "pool", p, q).setAttribute(Attribute.ofInts("kernel_shape", 2, 2));
    Value y = g.newValue("y");
    QuantTestModels.node(g, "DequantizeLinear", "dequantize", y, p, scale, zp);
    g.addOutput(y);
    return QuantTestModels.model(g, opset);
  }

  @Test
  void uint8MaxPoolNeedsOpsetTwelve() {
    String problem = OrtKernels.check(uint8MaxPool(11));
    assertTrue(problem != null && problem.contains("'pool' (MaxPool)") && problem.contains("opset 12"), problem);
    assertNull(OrtKernels.check(uint8MaxPool(12)));
  }
}
