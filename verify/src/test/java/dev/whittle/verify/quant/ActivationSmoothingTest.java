package dev.whittle.verify.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.quantization.ActivationSmoothing;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.verify.OrtRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Activation smoothing checked in ONNX Runtime: the smoothed float model computes what the original
 * does; the error it predicts for the int8 products (its simulation of DynamicQuantizeLinear and the
 * int8 weights) is the error ONNX Runtime's quantized model really makes, before and after; and on an
 * activation with a few large channels it cuts that error by more than half.
 */
class ActivationSmoothingTest {
  static final int ROWS = 64;
  static final int K = 16;
  static final QuantizationOptions OPTIONS =
      QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(true).withPerToken(Set.of());

  /** x[64,16] read by MatMul(W1[16,8]), MatMul(W2[16,12]) and Gemm(W3[10,16], transB): three outputs, no biases. */
  private static Model threeLayers(Random r) {
    Graph g = new Graph("smooth");
    Value x = g.newValue("x", new Type.TensorType(DType.FLOAT, Shape.of(ROWS, K)));
    g.addInput(x);
    layer(g, "MatMul", "mm1", x, g.addInitializer("w1", gaussian(r, 1, K, 8)), 8);
    layer(g, "MatMul", "mm2", x, g.addInitializer("w2", gaussian(r, 1, K, 12)), 12);
    Node gemm = layer(g, "Gemm", "gemm3", x, g.addInitializer("w3", gaussian(r, 1, 10, K)), 10);
    gemm.setAttribute(Attribute.of("transB", 1L));
    Model m = new Model(g);
    m.opsetImports().put("", 13L);
    m.setIrVersion(8);
    return m;
  }

  private static Node layer(Graph g, String op, String name, Value x, Value w, int n) {
    Node node = new Node(op, "", name);
    node.addInput(x);
    node.addInput(w);
    Value y = g.newValue(name + "_out", new Type.TensorType(DType.FLOAT, Shape.of(ROWS, n)));
    node.addOutput(y);
    g.addNode(node);
    g.addOutput(y);
    return node;
  }

  private static Tensor gaussian(Random r, float scale, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * scale;
    }
    return Tensor.wrapFloats(dims, v);
  }

  /** Gaussian rows whose channels 3 and 11 are 40 times larger, as a LayerNorm with two large gains gives. */
  private static List<Map<String, Tensor>> samples(Random r, int count) {
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      float[] v = gaussian(r, 1, ROWS, K).toFloatArray();
      for (int i = 0; i < ROWS; i++) {
        v[i * K + 3] *= 40;
        v[i * K + 11] *= 40;
      }
      out.add(Map.of("x", Tensor.wrapFloats(new long[] {ROWS, K}, v)));
    }
    return out;
  }

  @Test
  void smoothingKeepsTheFloatModelAndPredictsOrtsInt8Error() {
    Random r = new Random(7);
    Model model = threeLayers(r);
    List<Map<String, Tensor>> calibration = samples(r, 4);
    ActivationSmoothing.Result smoothed = ActivationSmoothing.apply(model, OPTIONS, calibration, 4);
    assertEquals(1, smoothed.choices().size());
    ActivationSmoothing.Choice c = smoothed.choices().get(0);
    assertEquals(List.of("mm1", "mm2", "gemm3"), c.nodes());
    assertTrue(c.smoothed(), c.toString());
    assertEquals(1, smoothed.model().graph().nodes().stream().filter(n -> n.opType().equals("Mul")).count());

    byte[] quantizedPlain = OnnxWriter.toBytes(ModelQuantizer.quantize(model, OPTIONS).model());
    byte[] quantizedSmoothed = OnnxWriter.toBytes(ModelQuantizer.quantize(smoothed.model(), OPTIONS).model());
    double[] plain = new double[2];
    double[] withSmoothing = new double[2];
    try (OrtRunner f = OrtRunner.open(OnnxWriter.toBytes(model)); OrtRunner fs = OrtRunner.open(OnnxWriter.toBytes(smoothed.model()));
        OrtRunner q = OrtRunner.open(quantizedPlain); OrtRunner qs = OrtRunner.open(quantizedSmoothed)) {
      for (Map<String, Tensor> in : calibration) {
        Map<String, Tensor> exact = f.run(in);
        Map<String, Tensor> exactSmoothed = fs.run(in);
        Map<String, Tensor> approx = q.run(in);
        Map<String, Tensor> approxSmoothed = qs.run(in);
        for (String out : exact.keySet()) {
          float[] y = exact.get(out).toFloatArray();
          float[] ys = exactSmoothed.get(out).toFloatArray();
          for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], ys[i], 1e-4 * (1 + Math.abs(y[i])), "smoothed float model differs at " + out + "[" + i + "]");
          }
          accumulate(plain, y, approx.get(out).toFloatArray());
          accumulate(withSmoothing, y, approxSmoothed.get(out).toFloatArray());
        }
      }
    }
    double before = plain[0] / plain[1];
    double after = withSmoothing[0] / withSmoothing[1];
    System.out.printf("int8 product error in ONNX Runtime: %.3e -> %.3e with smoothing (predicted %.3e -> %.3e, alpha %.2f)%n", before,
        after, c.errorBefore(), c.errorAfter(), c.alpha());
    // every row of the 4 samples is kept (256 <= 512), so the simulation sees exactly what ORT computes
    assertEquals(before, c.errorBefore(), 0.02 * before, "predicted error without smoothing");
    assertEquals(after, c.errorAfter(), 0.02 * after, "predicted error with smoothing");
    assertTrue(after < before / 2, "smoothing must more than halve the error: " + before + " -> " + after);
  }

  @Test
  void activationWithoutLargeChannelsIsLeftAlone() {
    Random r = new Random(11);
    Model model = threeLayers(r);
    List<Map<String, Tensor>> calibration = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      calibration.add(Map.of("x", gaussian(r, 1, ROWS, K)));
    }
    ActivationSmoothing.Result smoothed = ActivationSmoothing.apply(model, OPTIONS, calibration, 4);
    assertFalse(smoothed.choices().get(0).smoothed(), smoothed.choices().get(0).toString());
    assertEquals(model.graph().nodes().size(), smoothed.model().graph().nodes().size());
  }

  private static void accumulate(double[] acc, float[] exact, float[] approx) {
    for (int i = 0; i < exact.length; i++) {
      double d = approx[i] - exact[i];
      acc[0] += d * d;
      acc[1] += (double) exact[i] * exact[i];
    }
  }
}
