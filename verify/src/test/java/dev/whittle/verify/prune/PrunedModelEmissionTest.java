package dev.whittle.verify.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.pruning.Pruner;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.pruning.RetrainHook;
import dev.whittle.pruning.Schedule;
import dev.whittle.pruning.SparseInitializers;
import dev.whittle.quantization.CalibrationData;
import dev.whittle.quantization.Calibrator;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.quantization.StaticQuantizer;
import dev.whittle.runtime.Session;
import dev.whittle.verify.Metrics;
import dev.whittle.verify.OrtRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mnist-8 with every Conv/Gemm weight at 80% sparsity, written with ONNX {@code sparse_initializer}s
 * (ONNX Runtime and Whittle's runtime both load them and give the dense pruned model's outputs), and
 * quantized to int8 after pruning (the zeros stay exact zeros; ONNX Runtime runs it).
 */
class PrunedModelEmissionTest {
  private static final int DIGITS = 50;
  private static final String OUTPUT = "Plus214_Output_0";

  @TempDir Path tmp;

  private static Path images;
  private static Model dense;
  private static Pruner.Result pruned;

  @BeforeAll
  static void prune() {
    images = TestAssets.shared().resolve("datasets/mnist/images.pb");
    dense = Optimizer.run(OnnxReader.read(TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx"))).model();
    pruned = Pruner.prune(dense, PruningOptions.of(0.8).withSkipFirstAndLast(false), Schedule.oneShot(), RetrainHook.NONE, List.of());
  }

  private static List<Map<String, Tensor>> digits(int from, int count) {
    List<Map<String, Tensor>> out = new ArrayList<>();
    CalibrationData.stacked(images, dense, from, count).forEach(out::add);
    return out;
  }

  @Test
  void sparseInitializersLoadInBothRuntimesAndGiveTheDenseOutputs() throws IOException {
    Path densePath = tmp.resolve("dense-pruned.onnx");
    Path sparsePath = tmp.resolve("sparse-pruned.onnx");
    OnnxWriter.write(pruned.model(), densePath);
    Model sparse = pruned.model().copy();
    List<SparseInitializers.Choice> choices = SparseInitializers.apply(sparse, SparseInitializers.Format.AUTO, pruned.masks().keySet());
    OnnxWriter.write(sparse, sparsePath);
    Model back = OnnxReader.read(sparsePath);
    List<String> sparseNames = back.graph().sparseInitializers().stream().map(Value::name).toList();
    assertEquals(pruned.masks().keySet().stream().sorted().toList(), sparseNames.stream().sorted().toList(),
        "at 80% the three pruned weights are smaller sparse: " + choices);
    long denseBytes = Files.size(densePath);
    long sparseBytes = Files.size(sparsePath);
    System.out.printf("mnist-8 at 80%%: dense %,d B, sparse_initializer %,d B%n", denseBytes, sparseBytes);
    assertTrue(sparseBytes < 0.75 * denseBytes, sparseBytes + " vs " + denseBytes);
    try (OrtRunner d = OrtRunner.open(densePath); OrtRunner s = OrtRunner.open(sparsePath); Session w = Session.open(back)) {
      for (Map<String, Tensor> in : digits(0, DIGITS)) {
        float[] expected = d.run(in).get(OUTPUT).toFloatArray();
        // ONNX Runtime densifies at load: the same weights, the same kernels, the same bits
        assertArrayEquals(expected, s.run(in).get(OUTPUT).toFloatArray());
        Metrics m = Metrics.compare(Tensor.ofFloats(new long[] {1, 10}, expected), w.run(in).get(OUTPUT));
        assertTrue(m.maxAbs() <= 1e-4 * Math.max(1, Math.abs(expected[0])) + 1e-3, "Whittle on the sparse model: " + m);
      }
    }
  }

  @Test
  void quantizingAPrunedModelKeepsItsZeros() throws IOException {
    // as `whittle quantize` does: read the written pruned model, optimize, quantize (static QDQ, per channel, symmetric int8 weights)
    Path prunedPath = tmp.resolve("pruned.onnx");
    OnnxWriter.write(pruned.model(), prunedPath);
    Model source = Optimizer.run(OnnxReader.read(prunedPath)).model();
    ModelQuantizer.Result q = StaticQuantizer.quantize(source,
        QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC).withPerChannel(true),
        CalibrationData.stacked(images, source, 0, 100), Calibrator.Kind.MINMAX, 100);
    int checked = 0;
    for (Node n : q.model().graph().nodes()) {
      Value x = n.input(0);
      if (!n.is("DequantizeLinear") || !x.isInitializer() || x.initializer().dtype() != DType.INT8) {
        continue;
      }
      float[] w = weightOfShape(x.initializer().dims());
      byte[] v = x.initializer().toByteArray();
      if (n.inputs().size() > 2 && n.input(2) != null) {
        for (byte zp : n.input(2).initializer().toByteArray()) {
          assertEquals(0, zp, "symmetric int8 weights: zero point 0, so int8 0 dequantizes to exactly 0");
        }
      }
      for (int i = 0; i < w.length; i++) {
        if (w[i] == 0f) {
          assertEquals(0, v[i], x.name() + "[" + i + "]: a pruned weight must stay zero");
        }
      }
      checked++;
    }
    // the quantizer keeps the first Conv (one input channel) in float by design
    assertEquals(2, checked, "the second Conv and the Gemm have int8 weights");
    Path quantized = tmp.resolve("pruned-int8.onnx");
    OnnxWriter.write(q.model(), quantized);
    int agree = 0;
    try (OrtRunner f = OrtRunner.open(prunedPath); OrtRunner i8 = OrtRunner.open(quantized)) {
      for (Map<String, Tensor> in : digits(500, DIGITS)) {
        agree += argmax(f.run(in).get(OUTPUT)) == argmax(i8.run(in).get(OUTPUT)) ? 1 : 0;
      }
    }
    System.out.printf("mnist-8 80%% pruned: %,d B float, %,d B int8; argmax agreement %d/%d%n", Files.size(prunedPath),
        Files.size(quantized), agree, DIGITS);
    assertTrue(agree >= 0.9 * DIGITS, agree + " of " + DIGITS);
  }

  /** The pruned float weight with these dims (mnist-8's three weights have distinct shapes). */
  private static float[] weightOfShape(long[] dims) {
    for (String name : pruned.masks().keySet()) {
      Tensor t = pruned.model().graph().value(name).initializer();
      if (java.util.Arrays.equals(t.dims(), dims)) {
        return t.toFloatArray();
      }
    }
    throw new AssertionError("no pruned weight of dims " + java.util.Arrays.toString(dims));
  }

  private static int argmax(Tensor t) {
    float[] v = t.toFloatArray();
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      best = v[i] > v[best] ? i : best;
    }
    return best;
  }
}
