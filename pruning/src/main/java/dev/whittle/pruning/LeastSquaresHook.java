package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient-free retraining by layer-wise reconstruction, a form of distillation from the original
 * model: for each pruned MatMul/Gemm, the layer's inputs X are captured in the ORIGINAL model on the
 * calibration inputs, and its original outputs are Y = X·W₀ (+ b₀). Each output column then refits
 * only its kept weights (and the bias, when the layer has one) to reproduce Y in the least-squares
 * sense ({@link LayerFit}: damped normal equations, damping toward the kept original weights, solved
 * with commons-math3's conjugate gradient started from the pruned weights). A MatMul whose output
 * (after its bias) is added to a residual stream also makes up for what that stream lost upstream
 * ({@link LayerFit#residualShift}).
 * 2-D group-1 Convs are refit on their input windows; other Convs keep their magnitude-pruned weights.
 */
public final class LeastSquaresHook implements RetrainHook {
  private final Model original;

  public LeastSquaresHook(Model original) {
    this.original = original;
  }

  @Override
  public Map<String, Tensor> retrain(Model pruned, Map<String, boolean[]> masks, int step, List<Map<String, Tensor>> calibration) {
    List<PrunableLayer> layers = new ArrayList<>();
    for (PrunableLayer l : PrunableLayer.find(original)) {
      if (masks.containsKey(l.name()) && LayerRows.supported(l)) {
        layers.add(l);
      }
    }
    // layer by layer, in execution order: each layer sees the inputs the already refit layers above it
    // give, and the original layer's inputs in the original model; both captured as the sweep goes, so
    // only the current layer's inputs are held (layers reading one value, attention's Q, K and V,
    // share its capture while a reader is left)
    Model work = pruned.copy();
    Map<String, Tensor> updated = new LinkedHashMap<>();
    SequentialCapture captures = new SequentialCapture(calibration);
    SequentialCapture originals = new SequentialCapture(calibration);
    for (PrunableLayer l : layers) {
      String input = l.node().input(0).name();
      List<Tensor> prunedInputs = captures.capture(work, input);
      Value bias = LayerFit.bias(l);
      float[] w0 = l.weight().initializer().toFloatArray();
      float[] w = work.graph().value(l.name()).initializer().toFloatArray();
      float[] b = bias == null ? null : work.graph().value(bias.name()).initializer().toFloatArray();
      int[] columns = java.util.stream.IntStream.range(0, l.n()).toArray();
      LayerFit.Target target = LayerFit.target(l, columns, originals.capture(original, input));
      List<Tensor> shift = LayerFit.residualShift(l, prunedInputs, work, captures, original, originals);
      if (shift != null) {
        target = target.shifted(shift);
      }
      LayerFit.Fit fit = LayerFit.refit(l, prunedInputs, w, b, w0, masks.get(l.name()), target);
      Tensor wt = Tensor.ofFloats(l.weight().initializer().dims(), fit.weights());
      updated.put(l.name(), wt);
      work.graph().setInitializer(work.graph().value(l.name()), wt);
      if (bias != null) {
        Tensor bt = Tensor.ofFloats(bias.initializer().dims(), fit.bias());
        updated.put(bias.name(), bt);
        work.graph().setInitializer(work.graph().value(bias.name()), bt);
      }
    }
    return updated;
  }

  /** RMS of each reduction row's input over the calibration data, per selected layer (by weight name). */
  static Map<String, double[]> inputRms(Model model, List<PrunableLayer> layers, List<Map<String, Tensor>> calibration) {
    List<PrunableLayer> usable = layers.stream().filter(LayerRows::supported).toList();
    // one layer's inputs held at a time
    SequentialCapture inputs = new SequentialCapture(calibration);
    Map<String, double[]> out = new LinkedHashMap<>();
    for (PrunableLayer l : usable) {
      double[] sum = new double[l.k()];
      long[] count = {0};
      LayerRows rows = new LayerRows(l);
      for (Tensor t : inputs.capture(model, l.node().input(0).name())) {
        rows.forEach(t, r -> {
          for (int i = 0; i < r.length; i++) {
            sum[i] += (double) r[i] * r[i];
          }
          count[0]++;
        });
      }
      for (int i = 0; i < sum.length; i++) {
        sum[i] = count[0] == 0 ? 1 : Math.sqrt(sum[i] / count[0]);
      }
      out.put(l.name(), sum);
    }
    return out;
  }
}
