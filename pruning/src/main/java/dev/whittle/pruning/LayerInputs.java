package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.passes.Optimizer;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What layers multiply: their input tensors on calibration data, captured with runtime taps, and their Gram matrices. */
final class LayerInputs {
  private LayerInputs() {}

  /** Value {@code name} of {@code model} on every calibration sample. */
  static List<Tensor> capture(Model model, String name, List<Map<String, Tensor>> calibration) {
    if (model.graph().value(name) != null && model.graph().value(name).isGraphInput()) {
      return calibration.stream().map(in -> in.get(name)).toList();
    }
    List<Tensor> out = new ArrayList<>();
    try (Session s = Session.open(prefix(model, java.util.Set.of(name)))) {
      for (Map<String, Tensor> in : calibration) {
        s.runValues(in, RunOptions.tap(java.util.Set.of(name), (n, t) -> out.add(t)));
      }
    }
    return out;
  }

  /**
   * The part of {@code model} that computes {@code values}: a copy whose outputs are those values,
   * with everything else removed by dead-code elimination. Layers early in a network are captured
   * without running the rest of it.
   */
  static Model prefix(Model model, java.util.Set<String> values) {
    Model m = model.copy();
    List<dev.whittle.ir.Value> wanted = new ArrayList<>();
    for (String name : values) {
      dev.whittle.ir.Value v = m.graph().value(name);
      if (v != null && !v.isGraphInput() && !v.isInitializer()) {
        wanted.add(v);
      }
    }
    if (wanted.isEmpty()) {
      return model;
    }
    // the first outputs become the wanted values, further wanted values are appended; outputs beyond
    // them repeat the first wanted value (nothing reads it twice: it only keeps the list's length)
    int outputs = m.graph().outputs().size();
    for (int i = 0; i < Math.max(outputs, wanted.size()); i++) {
      dev.whittle.ir.Value v = wanted.get(Math.min(i, wanted.size() - 1));
      if (i < outputs) {
        m.graph().setOutput(i, i < wanted.size() ? v : wanted.getFirst());
      } else {
        m.graph().addOutput(v);
      }
    }
    return Optimizer.run(m, List.of("eliminate-dead-code"), Optimizer.Settings.defaults().withCheckEachPass(false)).model();
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
