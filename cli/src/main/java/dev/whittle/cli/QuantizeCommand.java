package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.Json;
import dev.whittle.passes.Optimizer;
import dev.whittle.quantization.AccuracyBudget;
import dev.whittle.quantization.ActivationSmoothing;
import dev.whittle.quantization.Calibrator;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.quantization.Range;
import dev.whittle.quantization.StaticQuantizer;
import dev.whittle.quantization.Calibration;
import dev.whittle.verify.InputSource;
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
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle quantize}: int8 quantization (dynamic, weight-only or calibrated static QDQ) of a model. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = {"Quantize a model to int8 after the default optimization pipeline.", "",
        "dynamic: int8 MatMul/Gemm weights, activations quantized at run time (DynamicQuantizeLinear + MatMulInteger),",
        "  uint8 embedding tables. weight-only: int8 weights + DequantizeLinear (--unpack-on-load: Cast and Mul, folded on load), float compute.",
        "static: calibrated QuantizeLinear/DequantizeLinear around Conv/MatMul/Gemm (QDQ; ONNX Runtime fuses them).",
        "The input is never modified; the output is written atomically, with the options in its metadata_props."})
final class QuantizeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IN", description = "The .onnx file to quantize.")
  Path in;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The .onnx file to write (must differ from IN).")
  Path out;

  @Option(names = "--mode", paramLabel = "static|dynamic|weight-only", defaultValue = "dynamic",
      description = "How activations are handled (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--format", paramLabel = "qdq|qop", defaultValue = "qdq",
      description = "qdq (default): QuantizeLinear/DequantizeLinear pairs (ONNX Runtime fuses them); qop: QLinearConv/QLinearMatMul"
          + " written directly (static mode).")
  String format;

  @Option(names = "--per-channel", description = "One weight scale per output channel (Conv axis 0, MatMul [K,N] axis 1, Gemm transB axis 0).")
  boolean perChannel;

  @Option(names = "--unpack-on-load", description = "weight-only: widen int8 weights with Cast and Mul, which ONNX Runtime folds"
      + " when loading (float speed, int8 file), instead of DequantizeLinear, which it runs on every inference.")
  boolean unpackOnLoad;

  @Option(names = "--symmetric", description = "Static activations as symmetric int8 (zero point 0) instead of asymmetric uint8.")
  boolean symmetric;

  @Option(names = "--calibration", paramLabel = "DIR|FILE|random",
      description = "Calibration samples: a folder of test_data_set_N folders, a TensorProto file of samples stacked on axis 0,"
          + " or 'random' (seeded noise: unfit for production).")
  String calibration;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "A WordPiece tokenizer.json: --calibration is then a text file,"
      + " one sentence per line, fed to a BERT-style model's input_ids/attention_mask/token_type_ids (padded to the longest line).")
  Path tokenizer;

  @Option(names = "--calibrator", paramLabel = "minmax|percentile|entropy|moving-average", defaultValue = "minmax",
      description = "How ranges are computed (default: ${DEFAULT-VALUE}).")
  String calibrator;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "100", description = "Calibration/evaluation samples to use (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of --calibration random (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-drop", paramLabel = "X", description = "Keep the most harmful nodes in float until the drop (see --metric) is at most X.")
  Double maxDrop;

  @Option(names = "--metric", paramLabel = "top1|cosine|rel-l2", defaultValue = "cosine",
      description = "Drop measure for --max-drop, against the float model's first output (default: ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "Keep these nodes (by name) in float.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--no-optimize", description = "Skip the default optimization pipeline before quantizing.")
  boolean noOptimize;

  @Option(names = "--opset", paramLabel = "N", description = "Convert the model to default-domain opset N first (convert-opset);"
      + " newer opsets let the optimizer fuse more, e.g. 23: multi-head attention into Attention.")
  Long opset;

  @Option(names = "--report", paramLabel = "FILE", description = "Write what was quantized and kept in float: FILE.json or a text file.")
  Path report;

  @Spec CommandSpec spec;

  @Option(names = "--per-token", split = ",", paramLabel = "wide|all|none|NODE",
      description = "Dynamic mode: MatMuls whose activation rows get their own scale (a few elementwise ops each): 'wide'"
          + " (inputs wider than outputs, e.g. FFN down-projections; the default without --calibration), 'all', 'none' (the default"
          + " when activations are smoothed), or node names.")
  List<String> perToken = new ArrayList<>();

  @Option(names = "--no-smooth", description = "Dynamic mode with --calibration: do not smooth activations (by default each"
      + " activation whose int8 products it makes at least twice as accurate on the calibration samples is divided per channel"
      + " by factors moved into the weights: one Mul each).")
  boolean noSmooth;

  @Option(names = "--verify", description = "Compare the result with the float model in ONNX Runtime and Whittle's runtime"
      + " (cosine, relative L2, argmax agreement; ONNX Runtime latency) and print a before/after table.")
  boolean verify;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
      throw new ParameterException(spec.commandLine(), "OUT must differ from IN: " + out);
    }
    if (samples < 1) {
      throw new ParameterException(spec.commandLine(), "--samples must be at least 1: " + samples);
    }
    if (maxDrop != null && (maxDrop < 0 || maxDrop.isNaN())) {
      throw new ParameterException(spec.commandLine(), "--max-drop must be at least 0: " + maxDrop);
    }
    QuantizationOptions.Mode parsedMode = QuantizationOptions.Mode.parse(mode);
    if (unpackOnLoad && parsedMode != QuantizationOptions.Mode.WEIGHT_ONLY) {
      throw new ParameterException(spec.commandLine(), "--unpack-on-load applies to --mode weight-only (found --mode " + mode + ")");
    }
    if (tokenizer != null && (calibration == null || "random".equals(calibration))) {
      throw new ParameterException(spec.commandLine(), "--tokenizer needs --calibration TEXT_FILE (one sentence per line)");
    }
    // random inputs say nothing about a model's real activation ranges per channel: smoothing on them
    // can do great harm (MiniLM on random token ids: sentence-embedding cosine 0.77)
    boolean smooth = parsedMode == QuantizationOptions.Mode.DYNAMIC && calibration != null && !"random".equals(calibration) && !noSmooth;
    QuantizationOptions o = QuantizationOptions.defaults(parsedMode)
        .withFormat(QuantizationOptions.Format.parse(format)).withPerChannel(perChannel).withSymmetric(symmetric)
        .withExclude(new LinkedHashSet<>(exclude)).withPerToken(perTokenNames(smooth)).withUnpackOnLoad(unpackOnLoad);
    Calibrator.Kind kind = Calibrator.Kind.parse(calibrator);
    AccuracyBudget.Metric m = AccuracyBudget.Metric.parse(metric);
    if (o.mode() == QuantizationOptions.Mode.STATIC && calibration == null) {
      throw new ParameterException(spec.commandLine(), "--mode static needs --calibration DIR|FILE|random");
    }
    Model source = OnnxReader.read(in);
    Model converted = opset == null ? source : Optimizer.run(source, List.of("convert-opset"),
        Optimizer.Settings.defaults().withPassOptions(Map.of("convert-opset", Map.of("to", Long.toString(opset))))).model();
    Model model = noOptimize ? converted.copy() : Optimizer.run(converted).model();
    List<String> notes = new ArrayList<>();
    if ("random".equals(calibration)) {
      notes.add("calibration: seeded random inputs (seed " + seed + "): ranges come from noise, unfit for production");
    }
    Function<QuantizationOptions, ModelQuantizer.Result> quantizer;
    if (o.mode() == QuantizationOptions.Mode.STATIC) {
      StaticQuantizer.Plan plan = StaticQuantizer.plan(model, o);
      Map<String, Range> ranges = Calibration.collect(plan.model(), maxDrop != null ? plan.allActivations() : plan.valuesToCalibrate(),
          CommandFiles.calibration(calibration, tokenizer, model, seed, samples),
          kind, samples);
      quantizer = opts -> StaticQuantizer.apply(StaticQuantizer.plan(model, opts), ranges);
    } else if (smooth) {
      ActivationSmoothing.Result smoothing = ActivationSmoothing.apply(model, o, CommandFiles.calibration(calibration, tokenizer, model, seed, samples),
          samples);
      smoothingChoices = smoothing.choices();
      notes.add(smoothing.smoothedCount() + " activation(s) smoothed on the calibration samples (--no-smooth to skip)");
      quantizer = opts -> ModelQuantizer.quantize(smoothing.model(), opts);
    } else {
      quantizer = opts -> ModelQuantizer.quantize(model, opts);
    }
    ModelQuantizer.Result result;
    AccuracyBudget.Outcome budget = null;
    if (maxDrop != null) {
      if (calibration == null) {
        calibration = "random";
        notes.add("--max-drop without --calibration: evaluated on seeded random inputs (seed " + seed + ")");
      }
      List<Map<String, Tensor>> eval = new ArrayList<>();
      for (Map<String, Tensor> s : CommandFiles.calibration(calibration, tokenizer, model, seed, samples)) {
        if (eval.size() >= samples) {
          break;
        }
        eval.add(s);
      }
      budget = AccuracyBudget.fit(model, o, quantizer, eval, m, maxDrop);
      result = budget.result();
    } else {
      result = quantizer.apply(o);
    }
    Model q = result.model();
    q.metadataProps().put("whittle.version", WhittleVersion.version());
    q.metadataProps().put("whittle.quantization", o + (o.mode() == QuantizationOptions.Mode.STATIC || maxDrop != null
        ? ", calibration=" + calibration + ", calibrator=" + kind.id() + ", samples=" + samples
        : smooth ? ", smoothing on calibration=" + calibration + ", samples=" + samples : ""));
    if (budget != null) {
      q.metadataProps().put("whittle.quantization.drop", String.format(Locale.ROOT, "%s %.6f (max %s)", m.id(), budget.drop(), maxDrop));
    }
    OnnxWriter.write(q, out);
    long before = Files.size(in);
    long after = Files.size(out);
    w.printf("%s -> %s: %,d -> %,d bytes (%.1f%%), %d node(s) quantized, %d kept float%n", in, out, before, after, 100.0 * after / before,
        result.quantizedCount(), result.decisions().stream().filter(d -> !d.quantized() && !d.node().equals("(model)")).count());
    notes.forEach(n -> w.println("note: " + n));
    smoothingChoices.forEach(c -> w.println("  " + c));
    result.decisions().forEach(d -> w.println("  " + d));
    if (budget != null) {
      w.print(budget.describe(m));
    }
    if (verify) {
      InputSource inputs = tokenizer != null ? CommandFiles.heldOutSentences(calibration, tokenizer, samples)
          : calibration == null || "random".equals(calibration) ? InputSource.random().seed(seed).samples(3)
          : Files.isDirectory(Path.of(calibration)) ? InputSource.testDataSets(Path.of(calibration))
          : InputSource.dataset(Path.of(calibration), 0, Math.min(samples, 20));
      w.print(QuantizeComparison.table(source, q, before, after, inputs));
    }
    if (report != null) {
      writeReport(o, result, budget, m, notes, before, after);
      w.println("Report: " + report);
    }
    w.flush();
    return 0;
  }

  /** Activation smoothing's outcome per activation, when it ran. */
  private List<ActivationSmoothing.Choice> smoothingChoices = List.of();

  private java.util.Set<String> perTokenNames(boolean smooth) {
    if (perToken.isEmpty()) {
      // smoothing already gives the wide MatMuls' activations finer steps where it helps, without the per-token ops' run time
      return smooth ? java.util.Set.of() : java.util.Set.of(QuantizationOptions.WIDE);
    }
    if (perToken.equals(List.of("none"))) {
      return java.util.Set.of();
    }
    if (perToken.equals(List.of("all"))) {
      return java.util.Set.of(QuantizationOptions.ALL);
    }
    return new LinkedHashSet<>(perToken);
  }

  private void writeReport(QuantizationOptions o, ModelQuantizer.Result r, AccuracyBudget.Outcome budget, AccuracyBudget.Metric m,
      List<String> notes, long before, long after) throws IOException {
    String text;
    if (report.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("input", in.toString());
      j.put("output", out.toString());
      j.put("options", o.toString());
      j.put("bytesBefore", before);
      j.put("bytesAfter", after);
      j.put("notes", notes);
      List<Object> nodes = new ArrayList<>();
      for (ModelQuantizer.Decision d : r.decisions()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("node", d.node());
        e.put("op", d.opType());
        e.put("quantized", d.quantized());
        e.put("detail", d.detail());
        nodes.add(e);
      }
      j.put("nodes", nodes);
      if (budget != null) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("metric", m.id());
        b.put("maxDrop", maxDrop);
        b.put("fullDrop", budget.fullDrop());
        b.put("drop", budget.drop());
        b.put("keptFloat", budget.keptFloat());
        List<Object> ranking = new ArrayList<>();
        for (AccuracyBudget.Sensitivity s : budget.ranking()) {
          ranking.add(Map.of("node", s.node(), "op", s.opType(), "dropAlone", s.drop()));
        }
        b.put("ranking", ranking);
        j.put("budget", b);
      }
      text = Json.write(j);
    } else {
      StringBuilder sb = new StringBuilder();
      sb.append("whittle quantize ").append(in).append(" -> ").append(out).append('\n').append("options: ").append(o).append('\n');
      sb.append(String.format(Locale.ROOT, "size: %,d -> %,d bytes%n", before, after));
      notes.forEach(n -> sb.append("note: ").append(n).append('\n'));
      r.decisions().forEach(d -> sb.append(d).append('\n'));
      if (budget != null) {
        sb.append(budget.describe(m));
      }
      text = sb.toString();
    }
    CommandFiles.writeText(report, text);
  }
}
