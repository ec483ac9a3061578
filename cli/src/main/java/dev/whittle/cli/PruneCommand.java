package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.Json;
import dev.whittle.passes.Optimizer;
import dev.whittle.pruning.LeastSquaresHook;
import dev.whittle.pruning.Pruner;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.pruning.RetrainHook;
import dev.whittle.pruning.Schedule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.Deflater;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle prune}: magnitude or channel pruning with a schedule and an optional least-squares retrain hook. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Prune a model's MatMul/Gemm/Conv weights by magnitude (after the default optimization pipeline),",
        "or remove whole output channels (--pattern channels).", "",
        "Unstructured sparsity is written densely (zeros compress well: see the zip size in the report).",
        "The input is never modified; the output is written atomically."})
final class PruneCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IN", description = "The .onnx file to prune.")
  Path in;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The .onnx file to write.")
  Path out;

  @Option(names = "--sparsity", required = true, paramLabel = "S", description = "Target fraction of weights removed, in [0, 1).")
  double sparsity;

  @Option(names = "--pattern", defaultValue = "unstructured", paramLabel = "unstructured|2:4|channels",
      description = {"unstructured (default), 2:4 (two of every four inputs of an output; --sparsity is then 0.5),",
          "or channels (whole output channels removed from the graph; --sparsity is the fraction of channels)."})
  String pattern;

  @Option(names = "--norm", defaultValue = "l1", paramLabel = "l1|l2",
      description = "--pattern channels: rank channels by the l1 (default) or l2 norm of their weights.")
  String norm;

  @Option(names = "--scope", defaultValue = "layer", paramLabel = "layer|global",
      description = "One threshold per layer (default) or one over all selected layers.")
  String scope;

  @Option(names = "--schedule", defaultValue = "oneshot", paramLabel = "oneshot|gradual", description = "oneshot (default) or gradual.")
  String schedule;

  @Option(names = "--steps", defaultValue = "4", paramLabel = "T", description = "Steps of the gradual schedule (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--retrain", defaultValue = "none", paramLabel = "none|least-squares",
      description = "Retrain hook after every step: none (default) or least-squares (needs --calibration).")
  String retrain;

  @Option(names = "--calibration", paramLabel = "DIR|FILE|random",
      description = "Calibration inputs: test_data_set folders, a stacked TensorProto file, or random (seeded).")
  String calibration;

  @Option(names = "--samples", defaultValue = "100", paramLabel = "N", description = "Calibration samples (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--criterion", defaultValue = "magnitude", paramLabel = "magnitude|activation|obs",
      description = "Rank weights by |w| (default), by |w| times their input's RMS on the calibration data (activation),"
          + " or second order (obs: w^2/[H^-1]_ii with H = X^T X of the layer's calibration inputs; also updates the kept"
          + " weights and the bias to reproduce the original layer's outputs, layer by layer).")
  String criterion;

  @Option(names = "--include-edges", description = "Prune the first and last prunable layers too (left dense by default).")
  boolean includeEdges;

  @Option(names = "--exclude", split = ",", paramLabel = "NAME", description = "Layers (weight or node names) to leave dense.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--report", paramLabel = "FILE.json", description = "Write per-layer sparsity, parameters and sizes as JSON.")
  Path report;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
      throw new ParameterException(spec.commandLine(), "OUT must differ from IN: " + out);
    }
    Schedule plan = switch (schedule) {
      case "oneshot" -> Schedule.oneShot();
      case "gradual" -> Schedule.gradual(steps);
      default -> throw new ParameterException(spec.commandLine(), "--schedule must be oneshot or gradual: " + schedule);
    };
    PruningOptions o = new PruningOptions(sparsity, parsePattern(), parseScope(), !includeEdges, java.util.Set.of(),
        new LinkedHashSet<>(exclude), parseCriterion());
    Model model = Optimizer.run(OnnxReader.read(in)).model();
    if (o.pattern() == PruningOptions.Pattern.CHANNELS) {
      return ChannelPruneRun.run(this, model, o);
    }
    List<Map<String, Tensor>> calib = new ArrayList<>();
    if (o.criterion() != PruningOptions.Criterion.MAGNITUDE && !"least-squares".equals(retrain)) {
      if (calibration == null) {
        throw new ParameterException(spec.commandLine(), "--criterion " + criterion + " needs --calibration DIR|FILE|random");
      }
      CommandFiles.calibration(calibration, model, 42, samples).forEach(calib::add);
    }
    RetrainHook hook = switch (retrain) {
      case "none" -> RetrainHook.NONE;
      case "least-squares" -> {
        if (calibration == null) {
          throw new ParameterException(spec.commandLine(), "--retrain least-squares needs --calibration DIR|FILE|random");
        }
        CommandFiles.calibration(calibration, model, 42, samples).forEach(calib::add);
        yield new LeastSquaresHook(model);
      }
      default -> throw new ParameterException(spec.commandLine(), "--retrain must be none or least-squares: " + retrain);
    };
    Pruner.Result r = Pruner.prune(model, o, plan, hook, calib);
    r.model().metadataProps().put("whittle.version", WhittleVersion.version());
    r.model().metadataProps().put("whittle.pruning", String.format(Locale.ROOT, "sparsity=%s pattern=%s scope=%s schedule=%s retrain=%s",
        sparsity, pattern, scope, schedule + (plan.steps() > 1 ? "/" + plan.steps() : ""), retrain));
    OnnxWriter.write(r.model(), out);
    PrintWriter w = spec.commandLine().getOut();
    long before = Files.size(in);
    long after = Files.size(out);
    long zipBefore = deflatedSize(in);
    long zipAfter = deflatedSize(out);
    for (Pruner.LayerReport l : r.layers()) {
      w.printf(Locale.ROOT, "  %-40s %-6s %,10d weights, %,10d kept (%.1f%% sparse)%n", l.weight(), l.op(), l.weights(), l.kept(),
          100 * l.sparsity());
    }
    w.printf(Locale.ROOT, "%s -> %s: %,d -> %,d bytes, compressed %,d -> %,d bytes%n", in, out, before, after, zipBefore, zipAfter);
    if (report != null) {
      writeReport(r, before, after, zipBefore, zipAfter);
      w.println("Report: " + report);
    }
    w.flush();
    return 0;
  }

  private PruningOptions.Pattern parsePattern() {
    return switch (pattern) {
      case "unstructured" -> PruningOptions.Pattern.UNSTRUCTURED;
      case "2:4" -> PruningOptions.Pattern.TWO_FOUR;
      case "channels" -> PruningOptions.Pattern.CHANNELS;
      default -> throw new ParameterException(spec.commandLine(), "--pattern must be unstructured, 2:4 or channels: " + pattern);
    };
  }

  private PruningOptions.Criterion parseCriterion() {
    try {
      return PruningOptions.parseCriterion(criterion);
    } catch (dev.whittle.ir.WhittleException e) {
      throw new ParameterException(spec.commandLine(), "--criterion must be magnitude, activation or obs: " + criterion);
    }
  }

  private PruningOptions.Scope parseScope() {
    return switch (scope) {
      case "layer" -> PruningOptions.Scope.LAYER;
      case "global" -> PruningOptions.Scope.GLOBAL;
      default -> throw new ParameterException(spec.commandLine(), "--scope must be layer or global: " + scope);
    };
  }

  /** The size of the file deflated as a zip entry would be (what a download or an archive costs). */
  private static long deflatedSize(Path file) throws IOException {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
    d.setInput(Files.readAllBytes(file));
    d.finish();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    while (!d.finished()) {
      total += d.deflate(buffer);
    }
    d.end();
    return total;
  }

  private void writeReport(Pruner.Result r, long before, long after, long zipBefore, long zipAfter) throws IOException {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("input", in.toString());
    j.put("output", out.toString());
    j.put("bytesBefore", before);
    j.put("bytesAfter", after);
    j.put("deflatedBefore", zipBefore);
    j.put("deflatedAfter", zipAfter);
    List<Object> layers = new ArrayList<>();
    for (Pruner.LayerReport l : r.layers()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("weight", l.weight());
      e.put("op", l.op());
      e.put("weights", l.weights());
      e.put("kept", l.kept());
      e.put("sparsity", l.sparsity());
      layers.add(e);
    }
    j.put("layers", layers);
    CommandFiles.writeText(report, Json.write(j));
  }
}
