package dev.whittle.verify.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.quantization.CalibrationData;
import dev.whittle.quantization.Calibrator;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.quantization.StaticQuantizer;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.verify.OrtRunner;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * mnist-8 statically quantized (QDQ, per-channel int8 weights, uint8 activations, min-max
 * calibrated on digits 0–499) and evaluated on digits 500–9,999 in ONNX Runtime: top-1 at least
 * 0.992, file smaller than fp32; time per image reported for both. Whittle's runtime runs it too.
 */
class QuantMnistStaticTest {
  static final int CALIBRATION = 500;

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(QuantizationOptions.Format.class)
  void staticMnistKeepsItsAccuracy(QuantizationOptions.Format format) throws IOException, OrtException {
    Path dir = TestAssets.shared().resolve("datasets/mnist");
    Path fp32 = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Model source = Optimizer.run(OnnxReader.read(fp32)).model();
    ModelQuantizer.Result r = StaticQuantizer.quantize(source, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC)
        .withPerChannel(true).withFormat(format), CalibrationData.stacked(dir.resolve("images.pb"), source, 0, CALIBRATION), Calibrator.Kind.MINMAX,
        CALIBRATION);
    r.decisions().forEach(d -> System.out.println("mnist static " + format + ": " + d));
    Path ours = tmp.resolve("mnist-static.onnx");
    OnnxWriter.write(r.model(), ours);

    byte[] images = OnnxReader.readTensor(dir.resolve("images.pb")).toByteArray();
    byte[] labels = OnnxReader.readTensor(dir.resolve("labels.pb")).toByteArray();
    int n = labels.length;
    int fp32Correct = 0;
    int quantCorrect = 0;
    double[] fp32Block = new double[(n - CALIBRATION) / BLOCK];
    double[] quantBlock = new double[fp32Block.length];
    try (OrtRunner f = OrtRunner.open(fp32); OrtRunner q = OrtRunner.open(ours)) {
      for (int i = CALIBRATION; i < n; i++) {
        Map<String, Tensor> in = input(images, i);
        int label = labels[i] & 0xFF;
        fp32Correct += argmax(f.run(in).get("Plus214_Output_0")) == label ? 1 : 0;
        quantCorrect += argmax(q.run(in).get("Plus214_Output_0")) == label ? 1 : 0;
      }
    }
    // time per image in ONNX Runtime itself (tensors made once, outside the timing): blocks of 500 digits,
    // the two models alternating block by block; medians reported
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession f = env.createSession(fp32.toString(), so); OrtSession q = env.createSession(ours.toString(), so)) {
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
          for (int i = 0; i < BLOCK; i++) {
            tensors.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(input(images, CALIBRATION + i).get("Input3").toFloatArray()),
                new long[] {1, 1, 28, 28}));
          }
          time(f, tensors);
          time(q, tensors);
          for (int b = 0; b < fp32Block.length; b++) {
            fp32Block[b] = time(f, tensors);
            quantBlock[b] = time(q, tensors);
          }
        } finally {
          tensors.forEach(OnnxTensor::close);
        }
      }
    }
    java.util.Arrays.sort(fp32Block);
    java.util.Arrays.sort(quantBlock);
    double fp32Micros = fp32Block[fp32Block.length / 2];
    double quantMicros = quantBlock[quantBlock.length / 2];
    int evaluated = n - CALIBRATION;
    double fp32Top1 = fp32Correct / (double) evaluated;
    double quantTop1 = quantCorrect / (double) evaluated;
    // Whittle's runtime loads and runs the QDQ model; its top-1 on the first 500 evaluation digits
    int whittleCorrect = 0;
    try (Session s = Session.open(OnnxReader.read(ours))) {
      for (int i = CALIBRATION; i < 2 * CALIBRATION; i++) {
        whittleCorrect += argmax(s.run(input(images, i)).get("Plus214_Output_0")) == (labels[i] & 0xFF) ? 1 : 0;
      }
    }
    System.out.printf("mnist-8 %s top-1 on digits %d..%d (ONNX Runtime): fp32 %.4f, static int8 %.4f; Whittle runtime on %d digits %.4f%n",
        format, CALIBRATION, n - 1, fp32Top1, quantTop1, CALIBRATION, whittleCorrect / (double) CALIBRATION);
    System.out.printf("mnist-8 %s size: fp32 %,d B, static int8 %,d B%n", format, Files.size(fp32), Files.size(ours));
    System.out.printf("mnist-8 %s ONNX Runtime time per image (1 thread, median of 19 blocks of 500): fp32 %.1f us, static int8 %.1f us%n", format, fp32Micros, quantMicros);
    assertTrue(quantTop1 >= 0.992, "top-1 " + quantTop1);
    assertTrue(Files.size(ours) < Files.size(fp32), "not smaller");
    assertTrue(whittleCorrect >= 0.98 * CALIBRATION, "Whittle runtime top-1 " + whittleCorrect);
  }

  /**
   * The weight-only form unpacked on load: int8 weights in the file, widened by Cast and Mul that ONNX
   * Runtime folds when it loads the model. The proof that it costs no time is structural, not timed:
   * after ONNX Runtime's own optimizations (all levels, as sessions run by default) the two graphs
   * hold the same ops — the quantized file runs exactly the fp32 graph, with int8-rounded weights.
   * Top-1 at least 0.992 on digits 500–9,999 in ONNX Runtime, and a smaller file.
   */
  @org.junit.jupiter.api.Test
  void weightOnlyUnpackedOnLoadRunsTheFloatGraphInOrt() throws IOException {
    Path dir = TestAssets.shared().resolve("datasets/mnist");
    Path fp32 = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Model source = Optimizer.run(OnnxReader.read(fp32)).model();
    ModelQuantizer.Result r = ModelQuantizer.quantize(source, QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY)
        .withPerChannel(true).withUnpackOnLoad(true));
    r.decisions().forEach(d -> System.out.println("mnist weight-only unpacked on load: " + d));
    Path ours = tmp.resolve("mnist-weight-only.onnx");
    OnnxWriter.write(r.model(), ours);
    assertTrue(r.model().graph().nodes().stream().noneMatch(n -> n.is("DequantizeLinear")), "no DequantizeLinear");
    java.util.Map<String, Long> ortFp32 = ortOps(fp32, tmp.resolve("fp32-ort.onnx"));
    java.util.Map<String, Long> ortOurs = ortOps(ours, tmp.resolve("ours-ort.onnx"));
    assertEquals(ortFp32, ortOurs, "ONNX Runtime's optimized graphs differ");
    byte[] images = OnnxReader.readTensor(dir.resolve("images.pb")).toByteArray();
    byte[] labels = OnnxReader.readTensor(dir.resolve("labels.pb")).toByteArray();
    int correct = 0;
    try (OrtRunner q = OrtRunner.open(ours)) {
      for (int i = CALIBRATION; i < labels.length; i++) {
        correct += argmax(q.run(input(images, i)).get("Plus214_Output_0")) == (labels[i] & 0xFF) ? 1 : 0;
      }
    }
    double top1 = correct / (double) (labels.length - CALIBRATION);
    System.out.printf("mnist-8 weight-only unpacked on load: top-1 %.4f on digits %d..%d, %,d B (fp32 %,d B); ONNX Runtime's"
        + " optimized graph: %s%n", top1, CALIBRATION, labels.length - 1, Files.size(ours), Files.size(fp32), ortOurs);
    assertTrue(top1 >= 0.992, "top-1 " + top1);
    assertTrue(Files.size(ours) < Files.size(fp32), "not smaller");
  }

  /** Op types (with domain) and counts of the graph ONNX Runtime runs for {@code model} after all its optimizations. */
  private static java.util.Map<String, Long> ortOps(Path model, Path saved) {
    OrtRunner.saveOptimized(model, OrtSession.SessionOptions.OptLevel.ALL_OPT, saved);
    return OnnxReader.read(saved).graph().nodes().stream().collect(java.util.stream.Collectors.groupingBy(
        n -> (n.domain().isEmpty() ? "" : n.domain() + ":") + n.opType(), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  /**
   * Variants of the static form, measured side by side in ONNX Runtime (one thread, all graph
   * optimizations; blocks of {@value #BLOCK} digits, every model timed on each block in turn,
   * medians reported): fp32 against QDQ and QOp, per channel and per tensor, uint8 and int8
   * activations, and with the final Gemm or the second Conv kept in float. Prints a table; timings
   * are not asserted. A measurement (about 30 s), so it runs only with {@code -Dwhittle.latency=true}.
   */
  @org.junit.jupiter.api.Test
  void variantsSideBySide() throws IOException, OrtException {
    org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("whittle.latency"), "latency table: run with -Dwhittle.latency=true");
    Path dir = TestAssets.shared().resolve("datasets/mnist");
    Path fp32 = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Model source = Optimizer.run(OnnxReader.read(fp32)).model();
    List<String> quantizable = StaticQuantizer.plan(source, QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC)).quantizableNodes();
    String conv = quantizable.getFirst();
    String last = quantizable.getLast();
    QuantizationOptions base = QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true);
    Map<String, QuantizationOptions> variants = new java.util.LinkedHashMap<>();
    variants.put("qdq per-channel (default)", base);
    variants.put("qop per-channel", base.withFormat(QuantizationOptions.Format.QOP));
    variants.put("qdq per-tensor", base.withPerChannel(false));
    variants.put("qop per-tensor", base.withPerChannel(false).withFormat(QuantizationOptions.Format.QOP));
    variants.put("qdq int8 activations", base.withSymmetric(true));
    variants.put("qdq, '" + last + "' float", base.withExclude(java.util.Set.of(last)));
    variants.put("qop, '" + last + "' float", base.withFormat(QuantizationOptions.Format.QOP).withExclude(java.util.Set.of(last)));
    variants.put("qdq, '" + conv + "' float", base.withExclude(java.util.Set.of(conv)));
    variants.put("weight-only per-channel", QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY).withPerChannel(true));
    variants.put("weight-only, unpacked on load", QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY).withPerChannel(true)
        .withUnpackOnLoad(true));
    variants.put("dynamic per-channel", QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(true));
    List<String> labels = new ArrayList<>(List.of("fp32"));
    List<Path> files = new ArrayList<>(List.of(fp32));
    for (Map.Entry<String, QuantizationOptions> e : variants.entrySet()) {
      ModelQuantizer.Result r = e.getValue().mode() != QuantizationOptions.Mode.STATIC ? ModelQuantizer.quantize(source, e.getValue())
          : StaticQuantizer.quantize(source, e.getValue(),
          CalibrationData.stacked(dir.resolve("images.pb"), source, 0, CALIBRATION), Calibrator.Kind.MINMAX, CALIBRATION);
      Path p = tmp.resolve("variant-" + files.size() + ".onnx");
      OnnxWriter.write(r.model(), p);
      labels.add(e.getKey());
      files.add(p);
    }
    byte[] images = OnnxReader.readTensor(dir.resolve("images.pb")).toByteArray();
    byte[] labelsData = OnnxReader.readTensor(dir.resolve("labels.pb")).toByteArray();
    int n = labelsData.length;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int[] correct = new int[files.size()];
    double[][] blocks = new double[files.size()][(n - CALIBRATION) / BLOCK];
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      List<OrtSession> sessions = new ArrayList<>();
      List<OnnxTensor> all = new ArrayList<>();
      try {
        for (Path f : files) {
          sessions.add(env.createSession(f.toString(), so));
        }
        for (int i = CALIBRATION; i < n; i++) {
          all.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(input(images, i).get("Input3").toFloatArray()), new long[] {1, 1, 28, 28}));
        }
        for (int m = 0; m < sessions.size(); m++) {
          for (int i = 0; i < all.size(); i++) {
            try (OrtSession.Result res = sessions.get(m).run(Map.of("Input3", all.get(i)))) {
              float[] out = ((float[][]) res.get(0).getValue())[0];
              int best = 0;
              for (int k = 1; k < out.length; k++) {
                best = out[k] > out[best] ? k : best;
              }
              correct[m] += best == (labelsData[CALIBRATION + i] & 0xFF) ? 1 : 0;
            }
          }
        }
        for (int b = 0; b < blocks[0].length; b++) {
          for (int m = 0; m < sessions.size(); m++) {
            blocks[m][b] = time(sessions.get(m), all.subList(b * BLOCK, (b + 1) * BLOCK));
          }
        }
      } finally {
        all.forEach(OnnxTensor::close);
        for (OrtSession s : sessions) {
          s.close();
        }
      }
    }
    System.out.printf("mnist-8 static variants, ONNX Runtime, 1 thread, median of %d blocks of %d digits; top-1 on digits %d..%d%n",
        blocks[0].length, BLOCK, CALIBRATION, n - 1);
    System.out.printf("  %-36s %10s %8s %8s%n", "variant", "bytes", "us/img", "top-1");
    for (int m = 0; m < files.size(); m++) {
      java.util.Arrays.sort(blocks[m]);
      System.out.printf("  %-36s %,10d %8.1f %8.4f%n", labels.get(m), Files.size(files.get(m)), blocks[m][blocks[m].length / 2],
          correct[m] / (double) (n - CALIBRATION));
    }
    assertTrue(correct[0] > 0.99 * (n - CALIBRATION), "fp32 top-1");
  }

  static final int BLOCK = 500;

  private static double time(OrtSession s, List<OnnxTensor> tensors) throws OrtException {
    long t0 = System.nanoTime();
    for (OnnxTensor t : tensors) {
      s.run(Map.of("Input3", t)).close();
    }
    return (System.nanoTime() - t0) / 1e3 / tensors.size();
  }

  static Map<String, Tensor> input(byte[] images, int i) {
    float[] px = new float[784];
    for (int p = 0; p < 784; p++) {
      px[p] = images[i * 784 + p] & 0xFF;
    }
    return Map.of("Input3", Tensor.wrapFloats(new long[] {1, 1, 28, 28}, px));
  }

  static int argmax(Tensor t) {
    double[] v = Casts.toDoubles(t);
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
