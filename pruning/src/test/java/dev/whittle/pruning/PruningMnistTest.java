package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.passes.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** mnist-8 at 80% unstructured sparsity: calibrate on digits 0-499, evaluate on 500-9,999. */
class PruningMnistTest {
  @Test
  void leastSquaresRecoversMostOfTheAccuracyAtEightyPercent() {
    MnistDigits digits = new MnistDigits();
    Model m = Optimizer.run(OnnxReader.read(digits.model)).model();
    List<Map<String, Tensor>> calibration = digits.calibration();
    List<PrunableLayer> layers = PrunableLayer.find(m);
    assertEquals(List.of("Conv", "Conv", "Gemm"), layers.stream().map(l -> l.node().opType()).toList());
    // the 200-weight first convolution stays dense; the second convolution and the classifier go to 80%
    PruningOptions o = PruningOptions.of(0.8).withInclude(Set.of(layers.get(1).name(), layers.get(2).name()));
    Pruner.Result plain = Pruner.prune(m, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Pruner.Result refit = Pruner.prune(m, o, Schedule.oneShot(), new LeastSquaresHook(m), calibration);
    for (Pruner.LayerReport l : refit.layers()) {
      assertEquals(0.8, l.sparsity(), 1e-3, l.weight());
    }
    double base = digits.top1(m);
    double withoutHook = digits.top1(plain.model());
    double withHook = digits.top1(refit.model());
    System.out.printf("mnist-8 top-1 on digits 500..9999: dense %.4f, 80%% sparse %.4f, with least-squares %.4f%n", base,
        withoutHook, withHook);
    // measured 0.9318 -> 0.9833 (dense 0.9934; 0.9808 before the SAME-padded second convolution was
    // refit too); the 0.990 at 80% is NOT reached yet (see the issue notes): this guards what
    // the hook is worth
    assertTrue(withHook >= withoutHook + 0.03, "least squares must recover accuracy: " + withHook + " vs " + withoutHook);
  }
}
