package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Least-squares retraining after channel pruning. Removing a layer's output channels leaves the
 * channels it keeps exactly as they were; what changes is every layer reading them (the result's
 * {@link ChannelPruner.Result#consumers() consumers}), which lost input channels. Each such layer
 * (MatMul, Gemm, 2-D group-1 Conv), in execution order, refits its remaining input weights and its
 * bias so that on the calibration data it reproduces the ORIGINAL model's outputs of that layer
 * (those of its output channels it kept, when it was pruned itself), from the inputs it now gets in
 * the pruned model where the layers above are already refit ({@link LayerFit}; damping toward the
 * weights it has).
 */
public final class ChannelLeastSquaresHook implements RetrainHook {
  private final Model original;
  private final ChannelPruner.Result pruning;

  /** {@code original}: the model before pruning; {@code pruning}: what {@link ChannelPruner} did to it. */
  public ChannelLeastSquaresHook(Model original, ChannelPruner.Result pruning) {
    this.original = original;
    this.pruning = pruning;
  }

  @Override
  public Map<String, Tensor> retrain(Model pruned, Map<String, boolean[]> masks, int step, List<Map<String, Tensor>> calibration) {
    Map<String, int[]> keptOutputs = new HashMap<>();
    pruning.layers().forEach(l -> keptOutputs.put(l.output(), l.kept()));
    Map<String, PrunableLayer> originalByOutput = new HashMap<>();
    PrunableLayer.find(original).forEach(l -> originalByOutput.put(l.node().output(0).name(), l));
    // refit in execution order, named by their output values (the same in both models)
    List<String> outputs = new ArrayList<>();
    List<PrunableLayer> originals = new ArrayList<>();
    for (PrunableLayer l : PrunableLayer.find(pruned)) {
      PrunableLayer o = originalByOutput.get(l.node().output(0).name());
      if (pruning.consumers().contains(l.node().output(0).name()) && o != null && LayerRows.supported(l)) {
        outputs.add(l.node().output(0).name());
        originals.add(o);
      }
    }
    Model work = pruned.copy();
    // in execution order, one layer's inputs (pruned and original) held at a time
    SequentialCapture captures = new SequentialCapture(calibration);
    SequentialCapture originalCaptures = new SequentialCapture(calibration);
    Map<String, Tensor> updated = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      String output = outputs.get(i);
      PrunableLayer l = PrunableLayer.find(work).stream().filter(x -> x.node().output(0).name().equals(output)).findFirst()
          .orElseThrow();
      PrunableLayer o = originals.get(i);
      List<Tensor> inputs = captures.capture(work, l.node().input(0).name());
      int[] columns = keptOutputs.getOrDefault(l.node().output(0).name(), IntStream.range(0, l.n()).toArray());
      Value bias = LayerFit.bias(l);
      float[] w = l.weight().initializer().toFloatArray();
      LayerFit.Fit fit = LayerFit.refit(l, inputs, w, bias == null ? null : bias.initializer().toFloatArray(), w, null,
          LayerFit.target(o, columns, originalCaptures.capture(original, o.node().input(0).name())));
      Tensor wt = Tensor.ofFloats(l.weight().initializer().dims(), fit.weights());
      updated.put(l.name(), wt);
      work.graph().setInitializer(l.weight(), wt);
      if (bias != null && fit.bias() != null) {
        Tensor bt = Tensor.ofFloats(bias.initializer().dims(), fit.bias());
        updated.put(bias.name(), bt);
        work.graph().setInitializer(bias, bt);
      }
    }
    return updated;
  }
}
