package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a schedule: at each step, masks at that step's sparsity (never un-pruning), applies them, lets
 * the retrain hook update weights, checks what it returned, and applies the masks again.
 */
public final class Pruner {
  private Pruner() {}

  /** The pruned model (a copy), its masks and what each layer ended with. */
  public record Result(Model model, Map<String, boolean[]> masks, List<LayerReport> layers) {}

  /** Per layer: weight name, op, total weights, weights kept. */
  public record LayerReport(String weight, String op, long weights, long kept) {
    public double sparsity() {
      return weights == 0 ? 0 : 1 - (double) kept / weights;
    }
  }

  /**
   * The weight {@code name} of {@code model} that a hook may replace by {@code t}: it must be an
   * initializer, and {@code t} must have its element type and dims. {@code who} starts the message
   * ("retrain hook", or the command hook naming the file it read).
   */
  static Value checkReturned(Model model, String name, Tensor t, String who) {
    Value v = model.graph().value(name);
    if (v == null || !v.isInitializer()) {
      throw WhittleException.builder(who + " returned '" + name + "', which is not a weight of the model")
          .expected("names of initializers").build();
    }
    if (!Arrays.equals(v.initializer().dims(), t.dims()) || v.initializer().dtype() != t.dtype()) {
      throw WhittleException.builder(who + " returned weight '" + name + "' of the wrong shape")
          .expected(v.initializer().dtype().displayName() + Arrays.toString(v.initializer().dims()))
          .found(t.dtype().displayName() + Arrays.toString(t.dims())).build();
    }
    return v;
  }

  public static Result prune(Model model, PruningOptions options, Schedule schedule, RetrainHook hook,
      List<Map<String, Tensor>> calibration) {
    Model m = model.copy();
    Map<String, boolean[]> masks = new LinkedHashMap<>();
    Map<String, double[]> rms = Map.of();
    if (options.criterion() != PruningOptions.Criterion.MAGNITUDE && calibration.isEmpty()) {
      throw WhittleException.builder(options.criterion().name().toLowerCase(java.util.Locale.ROOT) + " pruning needs calibration inputs")
          .expected("at least one sample").build();
    }
    if (options.criterion() == PruningOptions.Criterion.ACTIVATION) {
      rms = LeastSquaresHook.inputRms(model, MagnitudePruner.selected(model, options), calibration);
    }
    ObsPruner obs = options.criterion() == PruningOptions.Criterion.OBS ? new ObsPruner(model, calibration) : null;
    for (int t = 1; t <= schedule.steps(); t++) {
      PruningOptions step = options.atStep(schedule, t);
      masks = options.criterion() == PruningOptions.Criterion.OBS ? obs.prune(m, step, masks)
          : MagnitudePruner.masks(m, step, masks, rms);
      MagnitudePruner.apply(m, masks);
      applyUpdates(m, hook.retrain(m, masks, t, calibration));
      MagnitudePruner.apply(m, masks);
    }
    Map<String, String> opByWeight = new LinkedHashMap<>();
    PrunableLayer.find(m).forEach(l -> opByWeight.put(l.name(), l.node().opType()));
    List<LayerReport> layers = new ArrayList<>();
    for (Map.Entry<String, boolean[]> e : masks.entrySet()) {
      long kept = 0;
      for (boolean b : e.getValue()) {
        kept += b ? 1 : 0;
      }
      layers.add(new LayerReport(e.getKey(), opByWeight.getOrDefault(e.getKey(), "?"), e.getValue().length, kept));
    }
    return new Result(m, masks, layers);
  }

  /** Sets the weights a retrain hook returned, after checking each names a weight of {@code m} and keeps its type and shape. */
  static void applyUpdates(Model m, Map<String, Tensor> updated) {
    for (Map.Entry<String, Tensor> e : updated.entrySet()) {
      m.graph().setInitializer(checkReturned(m, e.getKey(), e.getValue(), "retrain hook"), e.getValue());
    }
  }

}
