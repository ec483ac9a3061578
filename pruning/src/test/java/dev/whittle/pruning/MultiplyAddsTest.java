package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Model;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Multiply-adds counted by hand from the layer shapes. */
class MultiplyAddsTest {
  @Test
  void mnistConvsAndGemmFromTheirShapes() {
    Model m = Optimizer.run(OnnxReader.read(TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx"))).model();
    MultiplyAdds.Count c = MultiplyAdds.of(m, Map.of());
    assertEquals(List.of("Conv", "Conv", "Gemm"), c.layers().stream().map(MultiplyAdds.Layer::op).toList());
    // conv1: 8 output channels × 28×28 positions × 1·5·5 inputs; conv2: 16 × 14×14 × 8·5·5; gemm: 256 × 10
    assertEquals(List.of(156_800L, 627_200L, 2_560L), c.layers().stream().map(MultiplyAdds.Layer::dense).toList());
    assertEquals(List.of("Input3: [1, 1, 28, 28]"), c.inputs());
  }

  @Test
  void symbolicDimsCountPerOneAndZeroWeightsScaleTheSkippingCount() {
    Model m = MagnitudePrunerTest.mlp();
    Value x = m.graph().value("x");
    x.setType(new Type.TensorType(DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.of(8)))));
    Pruner.Result r = Pruner.prune(m, PruningOptions.of(0.75), Schedule.oneShot(), RetrainHook.NONE, List.of());
    MultiplyAdds.Count c = MultiplyAdds.of(r.model(), Map.of());
    assertEquals(List.of("x: [1, 8]"), c.inputs());
    // per row of x: W1 8×16, W2 (Gemm, transB) 16×4, W3 4×3; W2 keeps 16 of 64
    assertEquals(List.of(128L, 64L, 12L), c.layers().stream().map(MultiplyAdds.Layer::dense).toList());
    assertEquals(List.of(128L, 16L, 12L), c.layers().stream().map(MultiplyAdds.Layer::skippingZeros).toList());
    MultiplyAdds.Count five = MultiplyAdds.of(r.model(), Map.of("x", new long[] {5, 8}));
    assertEquals(5 * (128 + 64 + 12), five.dense());
    assertEquals(5 * (128 + 16 + 12), five.skippingZeros());
  }
}
