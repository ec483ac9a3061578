package dev.whittle.verify.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.quantization.Calibrator;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.quantization.StaticQuantizer;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.verify.Metrics;
import dev.whittle.verify.OrtRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real CNNs statically quantized (QDQ, per-channel int8 weights, uint8 activations, min-max
 * calibrated on {@value #CALIBRATION} synthetic pictures or text, {@link SyntheticImages},
 * normalized as each model expects) and evaluated on {@value #EVALUATION} others: the fp32 and int8
 * models run in ONNX Runtime (agreement of the deciding output, relative L2 and cosine per output),
 * and the int8 model runs in Whittle's runtime against ONNX Runtime's int8 outputs (fused integer
 * kernels) and against ONNX Runtime running it as written (no graph optimization).
 *
 * <p>Bounds: each model's agreement and relative L2 bounds are the values measured when the test
 * was written plus a margin (agreement one sample of eight for the classifiers, about a third more
 * error for the rest) for other CPUs and ONNX Runtime versions; they were not moved to pass.
 * Whittle's runtime must be no farther from ONNX Runtime's int8 outputs than those are from
 * fp32: both round the same real numbers, so they differ only where a value falls within float
 * error of a rounding midpoint and one step flips, which then propagates; measured 1e-5 (CIFAR-10)
 * to 0.9 (PP-OCRv4 recognizer, whose softmax over 6,625 classes amplifies flips; not understood
 * further yet) of the quantization error. A step-count bound does not fit: the graph outputs are float, behind Softmax, Sigmoid and
 * box decoding. Silero VAD: see {@link #sileroConvsAreInSubgraphsAndStayFloat}.
 */
class QuantRealModelsTest {
  static final int CALIBRATION = 8;
  static final int EVALUATION = 8;
  /** Evaluation pictures use seeds from here on, calibration pictures seeds 0..CALIBRATION-1. */
  static final long EVALUATION_SEED = 1_000;

  static final double[] HALF = {0.5, 0.5, 0.5};
  static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
  static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

  /** How the output that decides the model's answer is compared. */
  enum Agreement {
    /** Index of the maximum over the last axis (a class per row: image, box or time step). */
    ARGMAX,
    /** Pixels on the same side of 0.3 (PaddleOCR's DB text-probability threshold). */
    THRESHOLD
  }

  /** What the model is shown: pictures, a page of text lines, or one text line (upside down for odd seeds when flipped). */
  enum Content { PICTURE, PAGE, LINE, LINE_FLIPPED }

  /**
   * One model: where it is, its input (name, C×H×W, what it shows, normalization), the output whose
   * agreement is reported and how.
   */
  record Case(String name, Supplier<Path> file, String input, int h, int w, Content content, double[] mean, double[] std,
      String keyOutput, Agreement agreement, Set<String> keepFloat, double minAgreement, double maxRelL2) {
    @Override
    public String toString() {
      return name;
    }

    Map<String, Tensor> sample(long seed) {
      float[] px = switch (content) {
        case PICTURE -> SyntheticImages.rgb(seed, h, w);
        case PAGE -> SyntheticImages.text(seed, h, w, 3 + (int) (seed % 6), false);
        case LINE -> SyntheticImages.text(seed, h, w, 1, false);
        case LINE_FLIPPED -> SyntheticImages.text(seed, h, w, 1, seed % 2 == 1);
      };
      return Map.of(input, Tensor.wrapFloats(new long[] {1, 3, h, w}, SyntheticImages.normalize(px, mean, std)));
    }
  }

  static Stream<Case> models() {
    return Stream.of(
        // WinML PyTorch sample: transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)) -> [-1, 1]
        new Case("cifar10", () -> shared("cnn/winml-imageclassifier-cifar10/ImageClassifier.onnx"), "modelInput", 32, 32, Content.PICTURE, HALF, HALF,
            "modelOutput", Agreement.ARGMAX, Set.of(), 0.875, 0.03),
        // Ultra-Light-Fast: (pixel - 127) / 128
        new Case("ultraface-RFB-320", () -> shared("cnn/ultraface-rfb-320/version-RFB-320.onnx"), "input", 240, 320, Content.PICTURE,
            new double[] {127 / 255.0, 127 / 255.0, 127 / 255.0}, new double[] {128 / 255.0, 128 / 255.0, 128 / 255.0}, "scores",
            Agreement.ARGMAX, Set.of(), 0.999, 0.02),
        new Case("ultraface-slim-320", () -> shared("cnn/ultraface-rfb-320/version-slim-320.onnx"), "input", 240, 320, Content.PICTURE,
            new double[] {127 / 255.0, 127 / 255.0, 127 / 255.0}, new double[] {128 / 255.0, 128 / 255.0, 128 / 255.0}, "scores",
            Agreement.ARGMAX, Set.of(), 0.999, 0.02),
        // PaddleOCR: detector ImageNet mean/std, recognizer and classifier (x - 0.5) / 0.5
        paddle("ch_PP-OCRv3_det_infer.onnx", 320, 320, Content.PAGE, IMAGENET_MEAN, IMAGENET_STD, "sigmoid_0.tmp_0", Agreement.THRESHOLD, Set.of(),
            0.99, 0.25),
        paddle("ch_PP-OCRv4_det_infer.onnx", 320, 320, Content.PAGE, IMAGENET_MEAN, IMAGENET_STD, "sigmoid_0.tmp_0", Agreement.THRESHOLD, Set.of(),
            0.985, 0.35),
        // fully quantized its output is far off (rel L2 0.85: per-tensor activations of the early HardSwish blocks span
        // [-100, 110] while most channels are small); these 8 Convs are what `whittle quantize --max-drop 0.1 --metric rel-l2`
        // keeps in float (ranked on 4 pictures other than the evaluation ones), pinned here to keep the test fast
        paddle("ch_PP-OCRv3_rec_infer.onnx", 48, 320, Content.LINE, HALF, HALF, "softmax_5.tmp_0", Agreement.ARGMAX,
            Set.of("Conv_2", "Conv_5", "Conv_4", "Conv_1", "Conv_3", "Conv_9", "Conv_8", "Conv_13"), 0.95, 0.2),
        // (the same budget at 0.08 would keep 'p2o.Conv.29' in float: on the evaluation pictures rel L2 0.158 -> 0.153, not worth it)
        paddle("ch_PP-OCRv4_rec_infer.onnx", 48, 320, Content.LINE, HALF, HALF, "softmax_11.tmp_0", Agreement.ARGMAX, Set.of(), 0.95, 0.25),
        paddle("ch_ppocr_mobile_v2.0_cls_infer.onnx", 48, 192, Content.LINE_FLIPPED, HALF, HALF, "save_infer_model/scale_0.tmp_1", Agreement.ARGMAX,
            Set.of(), 0.875, 0.02));
  }

  private static Case paddle(String file, int h, int w, Content content, double[] mean, double[] std, String out, Agreement a,
      Set<String> keepFloat, double minAgreement, double maxRelL2) {
    return new Case(file.replace("_infer.onnx", ""), () -> TestAssets.fetchedModel("paddleocr/" + file), "x", h, w, content, mean, std,
        out, a, keepFloat, minAgreement, maxRelL2);
  }

  private static Path shared(String relative) {
    return TestAssets.shared().resolve("models").resolve(relative);
  }

  @TempDir Path tmp;

  @ParameterizedTest
  @MethodSource("models")
  void staticInt8StaysCloseToFp32(Case c) throws IOException {
    Path fp32 = c.file().get();
    long t0 = System.nanoTime();
    Model source = Optimizer.run(OnnxReader.read(fp32)).model();
    QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true)
        .withExclude(c.keepFloat());
    Iterable<Map<String, Tensor>> calibration = () -> IntStream.range(0, CALIBRATION).mapToObj(c::sample).iterator();
    ModelQuantizer.Result r = StaticQuantizer.quantize(source, o, calibration, Calibrator.Kind.MINMAX, CALIBRATION);
    Path int8 = tmp.resolve(c.name() + "-int8.onnx");
    OnnxWriter.write(r.model(), int8);
    long t1 = System.nanoTime();

    // ONNX Runtime: fp32, int8 with every graph optimization (fused integer kernels), int8 as written (Q, DQ, float ops)
    List<Map<String, Tensor>> eval = IntStream.range(0, EVALUATION).mapToObj(i -> c.sample(EVALUATION_SEED + i)).toList();
    Map<String, Summary> vsFp32 = new LinkedHashMap<>();
    Map<String, Summary> whittleVsOrt = new LinkedHashMap<>();
    Map<String, Summary> whittleVsLiteral = new LinkedHashMap<>();
    List<Map<String, Tensor>> ortInt8 = new ArrayList<>();
    List<Map<String, Tensor>> literalInt8 = new ArrayList<>();
    int fp32Positive = 0;
    try (OrtRunner f = OrtRunner.open(fp32); OrtRunner q = OrtRunner.open(int8); OrtRunner lit = OrtRunner.open(int8, OptLevel.NO_OPT)) {
      for (Map<String, Tensor> in : eval) {
        Map<String, Tensor> fo = f.run(in);
        Map<String, Tensor> qo = q.run(in);
        ortInt8.add(qo);
        literalInt8.add(lit.run(in));
        fo.forEach((name, ft) -> vsFp32.computeIfAbsent(name, k -> new Summary()).add(ft, qo.get(name), agreementOf(c, name)));
        if (c.agreement() == Agreement.THRESHOLD) {
          fp32Positive += (int) java.util.Arrays.stream(Casts.toDoubles(fo.get(c.keyOutput()))).filter(v -> v > 0.3).count();
        }
      }
    }
    long t2 = System.nanoTime();
    try (Session s = Session.open(OnnxReader.read(int8))) {
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> wo = s.run(eval.get(i));
        ortInt8.get(i).forEach((name, qt) -> whittleVsOrt.computeIfAbsent(name, k -> new Summary()).add(qt, wo.get(name),
            agreementOf(c, name)));
        literalInt8.get(i).forEach((name, lt) -> whittleVsLiteral.computeIfAbsent(name, k -> new Summary()).add(lt, wo.get(name),
            agreementOf(c, name)));
      }
    }
    long t3 = System.nanoTime();
    long quantized = r.quantizedCount();
    long kept = r.decisions().stream().filter(d -> !d.quantized() && !d.node().equals("(model)")).count();
    System.out.printf(Locale.ROOT, "%s: %,d -> %,d B, %d node(s) quantized, %d kept float; quantize %.1f s, ORT %.1f s, Whittle %.1f s%n",
        c.name(), Files.size(fp32), Files.size(int8), quantized, kept, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    r.decisions().stream().filter(d -> !d.quantized()).map(d -> d.detail()).distinct()
        .forEach(d -> System.out.println("  kept float: " + d));
    if (c.agreement() == Agreement.THRESHOLD) {
      System.out.printf(Locale.ROOT, "  %s fp32 pixels above 0.3: %d%n", c.name(), fp32Positive);
    }
    vsFp32.forEach((name, sm) -> System.out.printf(Locale.ROOT, "  %s int8 vs fp32 (ORT) '%s': %s%n", c.name(), name, sm));
    whittleVsOrt.forEach((name, sm) -> System.out.printf(Locale.ROOT, "  %s Whittle vs ORT int8 '%s': %s%n", c.name(), name, sm));
    whittleVsLiteral.forEach((name, sm) -> System.out.printf(Locale.ROOT, "  %s Whittle vs ORT int8 NO_OPT '%s': %s%n", c.name(), name, sm));

    assertTrue(Files.size(int8) < Files.size(fp32), "not smaller");
    assertTrue(quantized > 0, "nothing quantized");
    Summary key = vsFp32.get(c.keyOutput());
    assertTrue(key.agreement() >= c.minAgreement(), c.name() + " int8 vs fp32 agreement " + key.agreement());
    vsFp32.forEach((name, sm) -> assertTrue(sm.relL2() <= c.maxRelL2(), c.name() + " '" + name + "' int8 vs fp32 rel L2 " + sm.relL2()));
    // Whittle's runtime matches ONNX Runtime within the quantization error: its int8 outputs are no farther from ONNX
    // Runtime's int8 outputs than those are from fp32, and agree with them at least as often
    vsFp32.forEach((name, sm) -> assertTrue(whittleVsOrt.get(name).relL2() <= sm.relL2(),
        c.name() + " '" + name + "' Whittle vs ONNX Runtime rel L2 " + whittleVsOrt.get(name).relL2() + " > quantization error " + sm.relL2()));
    assertTrue(whittleVsOrt.get(c.keyOutput()).agreement() >= key.agreement(),
        c.name() + " Whittle vs ONNX Runtime agreement " + whittleVsOrt.get(c.keyOutput()).agreement());
  }

  /**
   * Silero VAD v4 and v5 hold every Conv (and LSTM) inside If subgraphs (one branch per sample rate);
   * the main graph has none. The static quantizer rewrites the main graph only, so nothing is
   * quantized and each Conv is reported kept float with that reason (LSTM is not an op it
   * quantizes at all); the written model still loads and gives the fp32 outputs in ONNX Runtime.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"silero_vad_v5.onnx", "silero_vad_legacy.onnx"})
  void sileroConvsAreInSubgraphsAndStayFloat(String file) throws IOException {
    Path fp32 = shared("audio/silero-vad/" + file);
    Model source = OnnxReader.read(fp32);
    StaticQuantizer.Plan plan = StaticQuantizer.plan(source, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true));
    assertTrue(plan.valuesToCalibrate().isEmpty(), plan.valuesToCalibrate().toString());
    ModelQuantizer.Result r = StaticQuantizer.apply(plan, Map.of());
    r.decisions().stream().map(d -> d.detail()).distinct().forEach(d -> System.out.println(file + ": kept float: " + d));
    System.out.printf("%s: %d Conv(s) in subgraphs kept float, %d quantized%n", file, r.decisions().size(), r.quantizedCount());
    assertTrue(r.quantizedCount() == 0 && !r.decisions().isEmpty(), r.decisions().toString());
    assertTrue(r.decisions().stream().allMatch(d -> d.opType().equals("Conv") && d.detail().contains("inside subgraph")), r.decisions().toString());
    Path out = tmp.resolve(file);
    OnnxWriter.write(r.model(), out);
    Map<String, Tensor> in = new LinkedHashMap<>(new dev.whittle.verify.RandomInputs().seed(3).floatRange(-0.5, 0.5).symbolicSize(1)
        .shape("input", 1, 512).generate(source.graph().inputs()));
    in.put("sr", Tensor.scalar(16000L));
    try (OrtRunner f = OrtRunner.open(fp32); OrtRunner q = OrtRunner.open(out)) {
      Map<String, Tensor> fo = f.run(in);
      Map<String, Tensor> qo = q.run(in);
      fo.forEach((name, t) -> assertTrue(Metrics.compare(t, qo.get(name)).maxAbs() <= 1e-6, name));
    }
  }

  private static Agreement agreementOf(Case c, String output) {
    return output.equals(c.keyOutput()) ? c.agreement() : null;
  }

  /** Metrics of one output over the evaluation samples. */
  static final class Summary {
    long rows;
    long agreeing;
    double relL2Sum;
    double cosineSum;
    double maxAbs;
    int samples;

    void add(Tensor reference, Tensor actual, Agreement how) {
      Metrics m = Metrics.compare(reference, actual);
      assertTrue(m.comparable(), m.problem() + ", " + m.nonFiniteMismatches() + " non-finite mismatch(es)");
      samples++;
      relL2Sum += m.relL2();
      cosineSum += m.cosine();
      maxAbs = Math.max(maxAbs, m.maxAbs());
      if (how == Agreement.ARGMAX) {
        rows += m.argmaxRows();
        agreeing += m.argmaxAgreeing();
      } else if (how == Agreement.THRESHOLD) {
        double[] r = Casts.toDoubles(reference);
        double[] a = Casts.toDoubles(actual);
        for (int i = 0; i < r.length; i++) {
          rows++;
          agreeing += (r[i] > 0.3) == (a[i] > 0.3) ? 1 : 0;
        }
      }
    }

    double agreement() {
      return rows == 0 ? Double.NaN : agreeing / (double) rows;
    }

    double relL2() {
      return relL2Sum / samples;
    }

    double cosine() {
      return cosineSum / samples;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "agreement %s, rel L2 %.4g, cosine %.6f, max |diff| %.4g",
          rows == 0 ? "-" : String.format(Locale.ROOT, "%.4f (%d/%d)", agreement(), agreeing, rows), relL2(), cosine(), maxAbs);
    }
  }
}
