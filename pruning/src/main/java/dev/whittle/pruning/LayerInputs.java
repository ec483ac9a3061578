package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What layers multiply: their input tensors on calibration data, captured with runtime taps. */
final class LayerInputs {
  private LayerInputs() {}

  /** The input tensors of the layers in {@code model}, one per calibration sample, by value name. */
  static Map<String, List<Tensor>> capture(Model model, Collection<PrunableLayer> layers, List<Map<String, Tensor>> calibration) {
    Map<String, List<Tensor>> seen = new LinkedHashMap<>();
    for (PrunableLayer l : layers) {
      seen.put(l.node().input(0).name(), new ArrayList<>());
    }
    try (Session s = Session.open(model)) {
      for (Map<String, Tensor> in : calibration) {
        // a layer reading a graph input sees the sample itself (taps observe computed values)
        seen.forEach((name, list) -> {
          if (in.containsKey(name)) {
            list.add(in.get(name));
          }
        });
        // tapped tensors are immutable (RunOptions): kept as they are, no copy
        s.runValues(in, RunOptions.tap(seen.keySet(), (name, t) -> {
          synchronized (seen) {
            seen.get(name).add(t);
          }
        }));
      }
    }
    return seen;
  }

  /**
   * {X_pᵀX_p, X_pᵀX_o} over the rows of the pruned and original model's inputs (sample by sample, row
   * by row in the same order; after channel pruning the two layers may differ in width), augmented by
   * a constant 1 column when there is a bias.
   */
  static double[][][] grams(LayerRows rows, List<Tensor> pruned, LayerRows originalRows, List<Tensor> original, boolean withBias) {
    Gram g = null;
    Gram cross = null;
    for (int sample = 0; sample < pruned.size(); sample++) {
      List<float[]> p = new ArrayList<>();
      List<float[]> o = new ArrayList<>();
      rows.forEach(pruned.get(sample), p::add);
      originalRows.forEach(original.get(sample), o::add);
      if (g == null && !p.isEmpty()) {
        g = new Gram(p.getFirst().length, withBias);
        cross = new Gram(p.getFirst().length, o.getFirst().length, withBias);
      }
      for (int r = 0; r < p.size(); r++) {
        g.add(p.get(r), p.get(r));
        cross.add(p.get(r), o.get(r));
      }
    }
    if (g == null) {
      throw new IllegalArgumentException("no calibration rows");
    }
    return new double[][][] {g.result(), cross.result()};
  }
}
