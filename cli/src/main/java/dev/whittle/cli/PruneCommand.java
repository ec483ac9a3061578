package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.FileSizes;
import dev.whittle.ir.report.Json;
import dev.whittle.passes.Optimizer;
import dev.whittle.pruning.CommandHook;
import dev.whittle.pruning.DistillationHook;
import dev.whittle.pruning.DistillationOptions;
import dev.whittle.pruning.LeastSquaresHook;
import dev.whittle.pruning.MultiplyAdds;
import dev.whittle.pruning.ParameterCount;
import dev.whittle.pruning.Pruner;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.pruning.RetrainHook;
import dev.whittle.pruning.Schedule;
import dev.whittle.pruning.SparseInitializers;
import dev.whittle.verify.InputSource;
import dev.whittle.verify.Tolerance;
import dev.whittle.verify.VerificationReport;
import dev.whittle.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle prune}: magnitude or channel pruning with a schedule and an optional retrain hook (least-squares, distill, command). */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Prune a model's MatMul/Gemm/Conv weights by magnitude (after the default optimization pipeline),",
        "or remove whole output channels (--pattern channels).", "",
        "Unstructured sparsity is written densely by default (zeros compress well: see the zip size in the report), or as ONNX"
            + " sparse_initializer with --sparse-format (values plus int64 indices: smaller for float32 only above ~67%% sparsity;"
            + " ONNX Runtime and Whittle's runtime densify them when they load the model).", "",
        "--retrain command runs an external trainer at every step. It gets a fresh folder ($WHITTLE_RETRAIN_DIR, also {dir} in"
            + " the command) holding manifest.json, model.onnx, weights/N.pb, masks/N.pb (bool, true = kept) and"
            + " calibration/test_data_set_S/, and must exit 0 after writing the updated weights as TensorProto files to out/"
            + " (out/N.pb, or named after the weight), pruned positions left at zero.", "",
        "With --calibration, the report compares the pruned model's outputs with the original's in Whittle's runtime (on"
            + " held-out samples when a data set file has more than --samples).", "",
        "The input is never modified; the output is written atomically, and not at all when anything fails."})
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

  @Option(names = "--retrain", defaultValue = "none", paramLabel = "none|least-squares|distill|command",
      description = "Retrain hook after every step: none (default), least-squares (layer-wise refit; needs --calibration),"
          + " distill (gradient training toward the original model's outputs on the calibration inputs and mixes of them;"
          + " needs --calibration) or command (runs --retrain-command).")
  String retrain;

  @Option(names = "--retrain-epochs", paramLabel = "N",
      description = "--retrain distill: passes over the distillation samples at every step (default: 10).")
  Integer retrainEpochs;

  @Option(names = "--retrain-lr", paramLabel = "LR",
      description = "--retrain distill: Adam's initial learning rate, decayed to 0 along a cosine (default: 4e-3, set on"
          + " mnist-8; a transformer such as MiniLM needs about 1e-4, the default wrecks it).")
  Double retrainLearningRate;

  @Option(names = "--retrain-batch", paramLabel = "N",
      description = "--retrain distill: samples per Adam update (default: 32).")
  Integer retrainBatch;

  @Option(names = "--retrain-command", paramLabel = "CMD",
      description = "The external trainer for --retrain command, run with sh -c (cmd /c on Windows) in the current folder.")
  String retrainCommand;

  @Option(names = "--retrain-timeout", paramLabel = "SECONDS", description = "Stop the retrain command when a step takes longer.")
  Double retrainTimeout;

  @Option(names = "--sparse-format", defaultValue = "dense", paramLabel = "dense|sparse|auto",
      description = "dense (default: every runtime reads it), sparse (pruned weights as sparse_initializer) or auto"
          + " (every floating-point initializer whose sparse form is smaller).")
  String sparseFormat;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "A WordPiece tokenizer.json: --calibration is then a text file,"
      + " one sentence per line, fed to a BERT-style model's input_ids/attention_mask/token_type_ids (padded to the longest line).")
  Path tokenizer;

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

  @Option(names = "--layer-sparsity", split = ",", paramLabel = "NAME=S",
      description = "Targets for single layers (weight or node names), overriding --sparsity for them; a named layer is pruned"
          + " even when it is the first or last. Under --scope global the others share one threshold.")
  java.util.Map<String, Double> layerSparsity = new java.util.LinkedHashMap<>();

  @Option(names = "--report", paramLabel = "FILE.json",
      description = "Write per-layer sparsity, parameters, multiply-adds, sizes and accuracy as JSON.")
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
        new LinkedHashSet<>(exclude), parseCriterion(), layerSparsity);
    SparseInitializers.Format format = parseSparseFormat();
    if (tokenizer != null && (calibration == null || "random".equals(calibration))) {
      throw new ParameterException(spec.commandLine(), "--tokenizer needs --calibration TEXT_FILE (one sentence per line)");
    }
    Model source = OnnxReader.read(in);
    // weights stored as sparse_initializer (e.g. by an earlier prune) become constants again, so they can be pruned
    SparseInitializers.densify(source);
    Model model = Optimizer.run(source).model();
    if (o.pattern() == PruningOptions.Pattern.CHANNELS) {
      return ChannelPruneRun.run(this, model, o);
    }
    List<Map<String, Tensor>> calib = new ArrayList<>();
    if (calibration != null) {
      CommandFiles.calibration(calibration, tokenizer, model, 42, samples).forEach(calib::add);
    } else if (o.criterion() != PruningOptions.Criterion.MAGNITUDE) {
      throw new ParameterException(spec.commandLine(), "--criterion " + criterion + " needs --calibration DIR|FILE|random");
    }
    Pruner.Result r = Pruner.prune(model, o, plan, hook(model), calib);
    Model pruned = r.model();
    pruned.metadataProps().put("whittle.version", WhittleVersion.version());
    pruned.metadataProps().put("whittle.pruning", String.format(Locale.ROOT,
        "sparsity=%s pattern=%s scope=%s schedule=%s retrain=%s sparse-format=%s", sparsity, pattern, scope,
        schedule + (plan.steps() > 1 ? "/" + plan.steps() : ""), retrain, format.id()));
    // what the report needs from the models is measured before OUT is written: a failure leaves no output
    Map<String, long[]> inputDims = new LinkedHashMap<>();
    if (!calib.isEmpty()) {
      calib.getFirst().forEach((name, t) -> inputDims.put(name, t.dims()));
    }
    Map<String, Long> nonZero = new LinkedHashMap<>();
    r.masks().keySet().forEach(name -> nonZero.put(name, ParameterCount.nonZero(pruned.graph().value(name))));
    MultiplyAdds.Count macsBefore = MultiplyAdds.of(model, inputDims);
    MultiplyAdds.Count macsAfter = MultiplyAdds.of(pruned, inputDims);
    // counted on the dense form (shape inference does not look into sparse initializers); accuracy on the form written
    List<SparseInitializers.Choice> sparse = SparseInitializers.apply(pruned, format, r.masks().keySet());
    VerificationReport accuracy = null;
    String accuracyInputs = null;
    if (calibration != null) {
      InputSource held = heldOut();
      accuracyInputs = held.describe() + ("random".equals(calibration) ? " (seed 43; calibration used seed 42)"
          : Files.isDirectory(Path.of(calibration)) ? " (the calibration samples)" : "");
      accuracy = Verifier.builder().inputs(held).engines(Verifier.Engine.WHITTLE).tolerance(Tolerance.absolute(Double.MAX_VALUE)).build()
          .verify(model, pruned);
    }
    if (accuracy != null) {
      pruned.metadataProps().put("whittle.pruning.accuracy", PruneReport.accuracySummary(accuracy, accuracyInputs));
    }
    PruneReport.FileSize before = new PruneReport.FileSize(Files.size(in), FileSizes.deflated(in));
    OnnxWriter.write(pruned, out);
    PruneReport rep = new PruneReport(in.toString(), out.toString(), r.layers(), nonZero, macsBefore, macsAfter, ParameterCount.of(model),
        ParameterCount.of(pruned), before, new PruneReport.FileSize(Files.size(out), FileSizes.deflated(out)), format.id(), sparse, accuracy,
        accuracyInputs);
    PrintWriter w = spec.commandLine().getOut();
    w.print(rep.text());
    if (report != null) {
      CommandFiles.writeText(report, Json.write(rep.json()));
      w.println("Report: " + report);
    }
    w.flush();
    return 0;
  }

  /** The retrain hook --retrain names, checked against the options it needs. */
  RetrainHook hook(Model model) {
    if (retrainCommand != null && !"command".equals(retrain)) {
      throw new ParameterException(spec.commandLine(), "--retrain-command needs --retrain command");
    }
    if ((retrainEpochs != null || retrainLearningRate != null || retrainBatch != null) && !"distill".equals(retrain)) {
      throw new ParameterException(spec.commandLine(), "--retrain-epochs, --retrain-lr and --retrain-batch need --retrain distill");
    }
    return switch (retrain) {
      case "none" -> RetrainHook.NONE;
      case "least-squares" -> {
        if (calibration == null) {
          throw new ParameterException(spec.commandLine(), "--retrain least-squares needs --calibration DIR|FILE|random");
        }
        yield new LeastSquaresHook(model);
      }
      case "distill" -> {
        if (calibration == null) {
          throw new ParameterException(spec.commandLine(), "--retrain distill needs --calibration DIR|FILE|random");
        }
        DistillationOptions options = DistillationOptions.defaults();
        if (retrainEpochs != null) {
          if (retrainEpochs < 1) {
            throw new ParameterException(spec.commandLine(), "--retrain-epochs must be at least 1: " + retrainEpochs);
          }
          options = options.withEpochs(retrainEpochs);
        }
        if (retrainLearningRate != null) {
          if (!(retrainLearningRate > 0) || retrainLearningRate.isInfinite()) {
            throw new ParameterException(spec.commandLine(), "--retrain-lr must be a positive number: " + retrainLearningRate);
          }
          options = options.withLearningRate(retrainLearningRate);
        }
        if (retrainBatch != null) {
          if (retrainBatch < 1) {
            throw new ParameterException(spec.commandLine(), "--retrain-batch must be at least 1: " + retrainBatch);
          }
          options = options.withBatchSize(retrainBatch);
        }
        yield new DistillationHook(model, options);
      }
      case "command" -> {
        if (retrainCommand == null || retrainCommand.isBlank()) {
          throw new ParameterException(spec.commandLine(), "--retrain command needs --retrain-command CMD");
        }
        if (retrainTimeout != null && !(retrainTimeout > 0)) {
          throw new ParameterException(spec.commandLine(), "--retrain-timeout must be positive: " + retrainTimeout);
        }
        PrintWriter err = spec.commandLine().getErr();
        yield new CommandHook(retrainCommand)
            .withTimeout(retrainTimeout == null ? null : Duration.ofMillis(Math.round(retrainTimeout * 1000)))
            .withOutput(line -> {
              err.println(line);
              err.flush();
            });
      }
      default -> throw new ParameterException(spec.commandLine(), "--retrain must be none, least-squares, distill or command: " + retrain);
    };
  }

  /**
   * Inputs for the accuracy comparison: a stacked data set's samples after the calibration ones
   * (up to --samples of them) when it has more, else its first ones; test_data_set folders as they
   * are; random inputs of another seed.
   */
  private InputSource heldOut() {
    if (tokenizer != null) {
      return CommandFiles.heldOutSentences(calibration, tokenizer, samples);
    }
    if ("random".equals(calibration)) {
      return InputSource.random().seed(43).samples(Math.min(samples, 10));
    }
    Path p = Path.of(calibration);
    if (Files.isDirectory(p)) {
      return InputSource.testDataSets(p);
    }
    long n = OnnxReader.readTensor(p).dim(0);
    int from = n > samples ? samples : 0;
    return InputSource.dataset(p, from, (int) Math.min(samples, n - from));
  }

  private SparseInitializers.Format parseSparseFormat() {
    return switch (sparseFormat) {
      case "dense", "sparse", "auto" -> SparseInitializers.Format.parse(sparseFormat);
      default -> throw new ParameterException(spec.commandLine(), "--sparse-format must be dense, sparse or auto: " + sparseFormat);
    };
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
}
