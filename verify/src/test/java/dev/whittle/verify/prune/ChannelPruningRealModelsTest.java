package dev.whittle.verify.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.pruning.ChannelLeastSquaresHook;
import dev.whittle.pruning.ChannelPruner;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.runtime.Session;
import dev.whittle.verify.Metrics;
import dev.whittle.verify.OrtRunner;
import dev.whittle.verify.RandomInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel pruning on real CNNs, checked in ONNX Runtime and Whittle's runtime side by side.
 *
 * <p>The WinML CIFAR-10 classifier (Conv ×4, Relu, MaxPool, Reshape, Gemm) with a quarter, then half,
 * of the channels of its inner convolutions removed (the first and last layers are left alone): the pruned file must load and agree in ONNX Runtime and in
 * Whittle's runtime (its declared value_info shapes changed with the channels, which ONNX Runtime
 * checks), and be smaller. It has no test data set: inputs are seeded uniform [-1, 1) images (the
 * sample normalizes pixels to that range); the least-squares refit calibrates on other seeds. How
 * often the pruned model's class agrees with the original's is reported, not asserted: random
 * images are not CIFAR images.
 */
class ChannelPruningRealModelsTest {
  private static final String OUTPUT = "modelOutput";

  @TempDir Path dir;

  private static List<Map<String, Tensor>> batches(Model m, long firstSeed, int count) {
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new RandomInputs().seed(firstSeed + i).floatRange(-1, 1).symbolicSize(8).generate(m.graph().inputs()));
    }
    return out;
  }

  @Test
  void aQuarterOrHalfOfTheInnerChannelsGoAndBothRuntimesAgree() throws IOException {
    Path original = TestAssets.shared().resolve("models/cnn/winml-imageclassifier-cifar10/ImageClassifier.onnx");
    Model m = Optimizer.run(OnnxReader.read(original)).model();
    check(original, m, 0.25, 45);
    check(original, m, 0.5, 30);
  }

  private void check(Path original, Model m, double sparsity, int channelsLeft) throws IOException {
    ChannelPruner.Result plain = ChannelPruner.prune(m, PruningOptions.of(sparsity).withPattern(PruningOptions.Pattern.CHANNELS),
        ChannelPruner.Norm.L1);
    ChannelPruner.Result refit = ChannelPruner.retrain(plain, new ChannelLeastSquaresHook(m, plain), batches(m, 1000, 4));
    for (ChannelPruner.LayerChannels l : refit.layers()) {
      System.out.printf("  %-8s %-5s %2d -> %2d channels%n", l.node(), l.op(), l.before(), l.after());
    }
    refit.skipped().forEach(s -> System.out.printf("  %-8s %-5s left alone: %s%n", s.node(), s.op(), s.reason()));
    assertEquals(List.of("Conv_2", "Conv_5", "Conv_7"), refit.layers().stream().map(ChannelPruner.LayerChannels::node).toList());
    assertEquals(List.of("Conv_0", "Gemm_11"), refit.skipped().stream().map(ChannelPruner.Skipped::node).toList(), "first and last");
    assertEquals(60, refit.channelsBefore());
    assertEquals(channelsLeft, refit.channelsAfter());

    Path plainFile = dir.resolve("cifar-channels-plain-" + sparsity + ".onnx");
    Path refitFile = dir.resolve("cifar-channels-" + sparsity + ".onnx");
    OnnxWriter.write(plain.model(), plainFile);
    OnnxWriter.write(refit.model(), refitFile);
    List<Map<String, Tensor>> eval = batches(m, 1, 8);
    long images = 0;
    long plainAgree = 0;
    long refitAgree = 0;
    double worst = 0;
    long runtimesAgree = 0;
    try (OrtRunner ortOriginal = OrtRunner.open(original); OrtRunner ortPlain = OrtRunner.open(plainFile);
        OrtRunner ortRefit = OrtRunner.open(refitFile); Session whittle = Session.open(OnnxReader.read(refitFile))) {
      for (Map<String, Tensor> in : eval) {
        Tensor reference = ortOriginal.run(in).get(OUTPUT);
        Tensor ort = ortRefit.run(in).get(OUTPUT);
        Tensor ours = whittle.run(in).get(OUTPUT);
        Metrics between = Metrics.compare(ort, ours);
        assertTrue(between.comparable(), between.problem());
        double scale = Metrics.compare(ort, Tensor.ofFloats(ort.dims(), new float[(int) ort.elementCount()])).maxAbs();
        worst = Math.max(worst, between.maxAbs() / scale);
        runtimesAgree += between.argmaxAgreeing();
        images += between.argmaxRows();
        plainAgree += Metrics.compare(reference, ortPlain.run(in).get(OUTPUT)).argmaxAgreeing();
        refitAgree += Metrics.compare(reference, ort).argmaxAgreeing();
      }
    }
    long before = Files.size(original);
    long after = Files.size(refitFile);
    System.out.printf("CIFAR-10 channels at %.2f: %d -> %d inner conv channels, parameters %,d -> %,d, file %,d -> %,d bytes;"
        + " argmax agreement with the original (ONNX Runtime, %d seeded random images): pruned %.3f, with least-squares refit %.3f;"
        + " ONNX Runtime vs Whittle on the pruned model: argmax %d/%d, max |diff| %.2e of the output's max |value|%n",
        sparsity, refit.channelsBefore(), refit.channelsAfter(), refit.parametersBefore(), refit.parametersAfter(), before, after, images,
        plainAgree / (double) images, refitAgree / (double) images, runtimesAgree, images, worst);
    assertTrue(after < before, after + " vs " + before);
    assertTrue(worst < 1e-4, "ONNX Runtime and Whittle differ by " + worst);
    assertEquals(images, runtimesAgree);
  }

  /**
   * Real CNNs with depthwise convolutions, residual Adds and squeeze-and-excitation gates (ultraface
   * RFB-320, PaddleOCR's direction classifier, when fetched): a quarter of the channels of every
   * layer that can lose them go; the pruned file must load in ONNX Runtime and agree with Whittle's
   * runtime on a seeded random input.
   */
  @Test
  void ultrafacePrunedLoadsInOnnxRuntimeAndAgreesWithWhittle() throws IOException {
    consistent(TestAssets.shared().resolve("models/cnn/ultraface-rfb-320/version-RFB-320_without_postprocessing.onnx"));
  }

  @Test
  void paddleOcrClassifierPrunedLoadsInOnnxRuntimeAndAgreesWithWhittle() throws IOException {
    consistent(TestAssets.fetchedModel("paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx"));
  }

  private void consistent(Path file) throws IOException {
    Model m = Optimizer.run(OnnxReader.read(file)).model();
    ChannelPruner.Result r = ChannelPruner.prune(m, PruningOptions.of(0.25).withPattern(PruningOptions.Pattern.CHANNELS),
        ChannelPruner.Norm.L1);
    Path out = dir.resolve("pruned.onnx");
    OnnxWriter.write(r.model(), out);
    Map<String, Tensor> in = new RandomInputs().seed(3).symbolicSizes(1, 64).generate(r.model().graph().inputs());
    double worst = 0;
    try (OrtRunner ort = OrtRunner.open(out); Session whittle = Session.open(OnnxReader.read(out))) {
      Map<String, Tensor> a = ort.run(in);
      Map<String, Tensor> b = whittle.run(in);
      for (String name : a.keySet()) {
        Metrics d = Metrics.compare(a.get(name), b.get(name));
        assertTrue(d.comparable(), name + ": " + d.problem());
        worst = Math.max(worst, d.relL2());
      }
    }
    System.out.printf("%s: %d layers pruned, channels %,d -> %,d, parameters %,d -> %,d, file %,d -> %,d bytes, %d layers left alone;"
        + " ONNX Runtime vs Whittle relative L2 %.1e%n", file.getFileName(), r.layers().size(), r.channelsBefore(), r.channelsAfter(),
        r.parametersBefore(), r.parametersAfter(), Files.size(file), Files.size(out), r.skipped().size(), worst);
    assertTrue(r.channelsAfter() < r.channelsBefore());
    assertTrue(Files.size(out) < Files.size(file));
    assertTrue(worst < 1e-5, "relative L2 " + worst);
  }
}
