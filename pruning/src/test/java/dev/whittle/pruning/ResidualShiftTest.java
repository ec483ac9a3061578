package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A layer feeding a residual Add refits toward the sum the original computes, making up for upstream error. */
class ResidualShiftTest {
  @Test
  void theShiftIsTheResidualsLossAndTheRefitSumComesCloser() {
    Model m = SequentialCaptureTest.residual();
    Random rnd = new Random(9);
    List<Map<String, Tensor>> samples = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      samples.add(Map.of("x", SequentialCaptureTest.random(rnd, 3, 8)));
    }
    // W1 and W2 at 50%: h1 (the residual of s = h2 + h1) is off in the pruned model
    Pruner.Result pruned = Pruner.prune(m, PruningOptions.of(0.5).withInclude(java.util.Set.of("W1", "W2")), Schedule.oneShot(),
        RetrainHook.NONE, samples);
    Model p = pruned.model();
    List<PrunableLayer> layers = PrunableLayer.find(p);
    PrunableLayer first = layers.get(0);
    PrunableLayer second = layers.get(1);
    assertNull(LayerFit.residualShift(first, LayerInputs.capture(p, "x", samples), p, new SequentialCapture(samples), m,
        new SequentialCapture(samples)), "h1 feeds Relu, not a residual Add");
    List<Tensor> inputs = LayerInputs.capture(p, "r", samples);
    List<Tensor> shift = LayerFit.residualShift(second, inputs, p, new SequentialCapture(samples), m, new SequentialCapture(samples));
    assertNotNull(shift);
    List<Tensor> h1o = LayerInputs.capture(m, "h1", samples);
    List<Tensor> h1p = LayerInputs.capture(p, "h1", samples);
    for (int i = 0; i < samples.size(); i++) {
      float[] expected = h1o.get(i).toFloatArray();
      float[] got = h1p.get(i).toFloatArray();
      for (int j = 0; j < expected.length; j++) {
        expected[j] -= got[j];
      }
      assertArrayEquals(expected, shift.get(i).toFloatArray(), 1e-6f, "sample " + i);
    }
    PrunableLayer originalSecond = PrunableLayer.find(m).get(1);
    LayerFit.Target target = LayerFit.target(originalSecond, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, LayerInputs.capture(m, "r", samples));
    float[] w = second.weight().initializer().toFloatArray();
    float[] w0 = originalSecond.weight().initializer().toFloatArray();
    boolean[] keep = pruned.masks().get("W2");
    double plain = sumError(m, p, second, LayerFit.refit(second, inputs, w, null, w0, keep, target).weights(), samples);
    double shifted = sumError(m, p, second, LayerFit.refit(second, inputs, w, null, w0, keep, target.shifted(shift)).weights(), samples);
    System.out.printf("residual shift: error of s = h2 + h1 after refitting W2: %.4g toward h2 alone, %.4g toward the shifted target%n", plain, shifted);
    assertTrue(shifted < plain, "refit toward the shifted target: s error " + shifted + " vs " + plain);
  }

  /** Σ‖s_p − s_o‖² with the second layer's weights set to {@code weights}. */
  private static double sumError(Model original, Model pruned, PrunableLayer layer, float[] weights, List<Map<String, Tensor>> samples) {
    Model p = pruned.copy();
    p.graph().setInitializer(p.graph().value(layer.name()), Tensor.ofFloats(layer.weight().initializer().dims(), weights));
    List<Tensor> so = LayerInputs.capture(original, "s", samples);
    List<Tensor> sp = LayerInputs.capture(p, "s", samples);
    double e = 0;
    for (int i = 0; i < so.size(); i++) {
      float[] a = so.get(i).toFloatArray();
      float[] b = sp.get(i).toFloatArray();
      for (int j = 0; j < a.length; j++) {
        e += (a[j] - b[j]) * (a[j] - b[j]);
      }
    }
    return e;
  }
}
