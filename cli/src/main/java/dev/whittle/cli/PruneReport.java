package dev.whittle.cli;

import dev.whittle.pruning.MultiplyAdds;
import dev.whittle.pruning.ParameterCount;
import dev.whittle.pruning.Pruner;
import dev.whittle.pruning.SparseInitializers;
import dev.whittle.verify.Metrics;
import dev.whittle.verify.VerificationReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code whittle prune} prints and writes with {@code --report}: per pruned layer its weights,
 * how many were kept and are non-zero, and its multiply-adds dense and with zero weights skipped;
 * for the model, parameters, multiply-adds, file size and deflated (zip) size before and after,
 * which weights went to {@code sparse_initializer}, and how close the pruned model's outputs stay
 * to the original's (Whittle's runtime; null when no data was given).
 */
record PruneReport(String input, String output, List<Pruner.LayerReport> layers, Map<String, Long> nonZero, MultiplyAdds.Count macsBefore,
    MultiplyAdds.Count macsAfter, ParameterCount paramsBefore, ParameterCount paramsAfter, FileSize before, FileSize after, String sparseFormat,
    List<SparseInitializers.Choice> sparse, VerificationReport accuracy, String accuracyInputs) {

  /** A file's size and its size deflated as a zip entry. */
  record FileSize(long bytes, long deflated) {}

  /** Multiply-adds of the layers reading this weight: dense and with zeros skipped. */
  private long[] macs(MultiplyAdds.Count c, String weight) {
    long dense = 0;
    long skipping = 0;
    for (MultiplyAdds.Layer l : c.layers()) {
      if (weight.equals(l.weight()) && l.known()) {
        dense += l.dense();
        skipping += l.skippingZeros();
      }
    }
    return new long[] {dense, skipping};
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (Pruner.LayerReport l : layers) {
      long[] m = macs(macsAfter, l.weight());
      sb.append(String.format(Locale.ROOT, "  %-40s %-6s %,10d weights, %,10d kept (%.1f%% sparse), %,d -> %,d MACs%n", l.weight(), l.op(),
          l.weights(), l.kept(), 100 * l.sparsity(), m[0], m[1]));
    }
    sb.append(String.format(Locale.ROOT, "parameters: %,d, non-zero %,d -> %,d%n", paramsAfter.total(), paramsBefore.nonZero(),
        paramsAfter.nonZero()));
    sb.append(String.format(Locale.ROOT, "multiply-adds for %s: %,d dense; skipping zero weights %,d -> %,d (%.1f%%)%s%n",
        String.join(", ", macsAfter.inputs()), macsAfter.dense(), macsBefore.skippingZeros(), macsAfter.skippingZeros(),
        100.0 * macsAfter.skippingZeros() / Math.max(1, macsBefore.skippingZeros()),
        macsAfter.unknown() > 0 ? " (" + macsAfter.unknown() + " layer(s) of unknown shape not counted)" : ""));
    long toSparse = sparse.stream().filter(SparseInitializers.Choice::sparse).count();
    sb.append(String.format(Locale.ROOT, "%s -> %s: %,d -> %,d bytes, compressed %,d -> %,d bytes%s%n", input, output, before.bytes(),
        after.bytes(), before.deflated(), after.deflated(),
        toSparse > 0 ? " (" + toSparse + " initializer(s) as sparse_initializer, --sparse-format " + sparseFormat + ")" : ""));
    if (accuracy != null) {
      for (VerificationReport.EngineReport e : accuracy.engines()) {
        if (e.error() != null) {
          sb.append("accuracy vs original: not measured: ").append(e.error()).append('\n');
          continue;
        }
        for (VerificationReport.OutputReport o : e.outputs()) {
          sb.append(String.format(Locale.ROOT,
              "accuracy vs original, output '%s': cosine mean %.5f (lowest %.5f), relative L2 mean %.2e (highest %.2e)%s%n",
              o.name(), mean(o, Metrics::cosine), o.cosine(), mean(o, Metrics::relL2), o.relL2(), o.argmaxRows() > 0
                  ? String.format(Locale.ROOT, ", argmax agreement %.2f%% of %,d", 100.0 * o.argmaxAgreement(), o.argmaxRows()) : ""));
        }
      }
      sb.append("  on ").append(accuracyInputs).append(", Whittle's runtime\n");
    }
    return sb.toString();
  }

  /** Mean of a metric over the samples. */
  private static double mean(VerificationReport.OutputReport o, java.util.function.ToDoubleFunction<Metrics> metric) {
    return o.perSample().stream().mapToDouble(metric).average().orElse(Double.NaN);
  }

  /** One line for the output's metadata_props (provenance): the worst output's figures. */
  static String accuracySummary(VerificationReport accuracy, String inputs) {
    return accuracy.worstOutput().map(o -> String.format(Locale.ROOT, "cosine mean %.5f, relative L2 mean %.2e%s vs the original on %s",
        mean(o, Metrics::cosine), mean(o, Metrics::relL2), o.argmaxRows() > 0 ? String.format(Locale.ROOT, ", argmax agreement %.4f", o.argmaxAgreement()) : "", inputs))
        .orElse("not measured: " + accuracy.engines().stream().map(e -> String.valueOf(e.error())).toList());
  }

  Map<String, Object> json() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("input", input);
    j.put("output", output);
    j.put("bytesBefore", before.bytes());
    j.put("bytesAfter", after.bytes());
    j.put("deflatedBefore", before.deflated());
    j.put("deflatedAfter", after.deflated());
    List<Object> ls = new ArrayList<>();
    for (Pruner.LayerReport l : layers) {
      long[] m = macs(macsAfter, l.weight());
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("weight", l.weight());
      e.put("op", l.op());
      e.put("weights", l.weights());
      e.put("kept", l.kept());
      e.put("nonZero", nonZero.get(l.weight()));
      e.put("sparsity", l.sparsity());
      e.put("macs", m[0]);
      e.put("macsSkippingZeros", m[1]);
      ls.add(e);
    }
    j.put("layers", ls);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("total", paramsAfter.total());
    params.put("nonZeroBefore", paramsBefore.nonZero());
    params.put("nonZeroAfter", paramsAfter.nonZero());
    j.put("parameters", params);
    Map<String, Object> macs = new LinkedHashMap<>();
    macs.put("inputs", macsAfter.inputs());
    macs.put("dense", macsAfter.dense());
    macs.put("skippingZerosBefore", macsBefore.skippingZeros());
    macs.put("skippingZerosAfter", macsAfter.skippingZeros());
    macs.put("unknownLayers", macsAfter.unknown());
    j.put("multiplyAdds", macs);
    j.put("sparseFormat", sparseFormat);
    List<Object> choices = new ArrayList<>();
    for (SparseInitializers.Choice c : sparse) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", c.name());
      e.put("denseBytes", c.denseBytes());
      e.put("sparseBytes", c.sparseBytes());
      e.put("sparse", c.sparse());
      choices.add(e);
    }
    j.put("sparseInitializers", choices);
    if (accuracy != null) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("inputs", accuracyInputs);
      a.put("samples", accuracy.samples().size());
      List<Object> outs = new ArrayList<>();
      for (VerificationReport.EngineReport e : accuracy.engines()) {
        a.put("engine", e.engine().id());
        a.put("error", e.error());
        for (VerificationReport.OutputReport o : e.outputs()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", o.name());
          m.put("cosineMean", mean(o, Metrics::cosine));
          m.put("cosineLowest", o.cosine());
          m.put("relL2Mean", mean(o, Metrics::relL2));
          m.put("relL2Highest", o.relL2());
          m.put("maxAbs", o.maxAbs());
          m.put("argmaxRows", o.argmaxRows());
          m.put("argmaxAgreeing", o.argmaxAgreeing());
          outs.add(m);
        }
      }
      a.put("outputs", outs);
      j.put("accuracy", a);
    }
    return j;
  }
}
