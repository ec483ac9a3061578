package dev.whittle.verify.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
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
import dev.whittle.verify.OrtRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every quantized form Whittle writes loads and runs in ONNX Runtime (CPU) and in Whittle's
 * runtime, and the two agree, on mnist-8 (Conv, Gemm) and a MatMul MLP (dynamic, per-token).
 */
class QuantOrtKernelsTest {
  static Stream<Arguments> forms() {
    QuantizationOptions st = QuantizationOptions.defaults(QuantizationOptions.Mode.STATIC);
    QuantizationOptions dy = QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC);
    QuantizationOptions wo = QuantizationOptions.defaults(QuantizationOptions.Mode.WEIGHT_ONLY);
    return Stream.of(Arguments.of("mnist", st), Arguments.of("mnist", st.withPerChannel(true)),
        Arguments.of("mnist", st.withSymmetric(true).withPerChannel(true)), Arguments.of("mnist", st.withAsymmetricWeights(true)),
        Arguments.of("mnist", wo), Arguments.of("mnist", wo.withPerChannel(true)), Arguments.of("mnist", dy.withPerChannel(true)),
        Arguments.of("mlp", dy), Arguments.of("mlp", dy.withPerChannel(true)), Arguments.of("mlp", dy.withPerToken(Set.of())),
        Arguments.of("mlp", dy.withAsymmetricWeights(true).withPerToken(Set.of())), Arguments.of("mlp", wo.withPerChannel(true)),
        Arguments.of("mlp", st.withPerChannel(true)), Arguments.of("mnist", st.withPerChannel(true).withFormat(QuantizationOptions.Format.QOP)),
        Arguments.of("mnist", st.withSymmetric(true).withFormat(QuantizationOptions.Format.QOP)),
        Arguments.of("mlp", st.withPerChannel(true).withFormat(QuantizationOptions.Format.QOP)), Arguments.of("mlp-opset11", wo.withPerChannel(true)),
        Arguments.of("mlp-opset11", dy.withPerChannel(true)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("forms")
  void loadsAndRunsInBothRuntimes(String which, QuantizationOptions o) {
    Model f = which.equals("mnist") ? Optimizer.run(OnnxReader.read(TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx"))).model()
        : mlp();
    if (which.equals("mlp-opset11")) {
      // a Softmax, whose axis semantics changed at 13: where the quantized form needs opset 13 the
      // quantizer raises it through convert-opset (rewriting the Softmax), otherwise it stays at 11
      f.opsetImports().put("", 11L);
      Value y = f.graph().outputs().getFirst();
      Value z = node(f.graph(), "Softmax", "softmax", y);
      z.setType(y.type());
      f.graph().setOutput(0, z);
    }
    List<Map<String, Tensor>> samples = samples(which, f);
    ModelQuantizer.Result r = o.mode() == QuantizationOptions.Mode.STATIC
        ? StaticQuantizer.quantize(f, o, samples, Calibrator.Kind.MINMAX, samples.size())
        : ModelQuantizer.quantize(f, o);
    if (which.equals("mlp-opset11")) {
      // per-channel DequantizeLinear needs its axis (13); DynamicQuantizeLinear + MatMulInteger exist at 11
      long needed = o.mode() == QuantizationOptions.Mode.WEIGHT_ONLY ? 13 : 11;
      assertTrue(r.model().defaultOpset() == needed, o.mode() + ": opset " + r.model().defaultOpset());
    }
    if (o.format() == QuantizationOptions.Format.QOP) {
      assertTrue(r.model().graph().nodes().stream().anyMatch(n -> n.is("QLinearConv") || n.is("QLinearMatMul")),
          r.model().graph().nodes().stream().map(Node::opType).toList().toString());
    }
    assertTrue(r.quantizedCount() > 0 || o.mode() == QuantizationOptions.Mode.DYNAMIC && which.equals("mnist"), r.decisions().toString());
    byte[] bytes = OnnxWriter.toBytes(r.model());
    String out = f.graph().outputs().getFirst().name();
    try (OrtRunner ort = OrtRunner.open(bytes); Session s = Session.open(OnnxReader.parse(bytes)); Session ref = Session.open(f)) {
      for (Map<String, Tensor> in : samples.subList(0, 3)) {
        float[] a = ort.run(in).get(out).toFloatArray();
        float[] b = s.run(in).get(out).toFloatArray();
        float[] c = ref.run(in).get(out).toFloatArray();
        double ortVsWhittle = relL2(a, b);
        double vsFloat = relL2(c, a);
        // the engines may round a value to the neighbouring integer step (accumulation order); that moves the result by far less than quantization does
        assertTrue(ortVsWhittle < 0.02, which + " " + o + ": ORT vs Whittle " + ortVsWhittle);
        assertTrue(vsFloat < 0.1, which + " " + o + ": quantized vs float " + vsFloat);
      }
    }
  }

  private static double relL2(float[] ref, float[] x) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < ref.length; i++) {
      num += (x[i] - ref[i]) * (x[i] - ref[i]);
      den += ref[i] * ref[i];
    }
    return Math.sqrt(num / Math.max(den, 1e-30));
  }

  private static List<Map<String, Tensor>> samples(String which, Model f) {
    List<Map<String, Tensor>> out = new ArrayList<>();
    if (which.equals("mnist")) {
      CalibrationData.stacked(TestAssets.shared().resolve("datasets/mnist/images.pb"), f, 0, 32).forEach(out::add);
    } else {
      Random r = new Random(3);
      for (int i = 0; i < 16; i++) {
        float[] v = new float[2 * 5 * 64];
        for (int k = 0; k < v.length; k++) {
          v[k] = (float) r.nextGaussian();
        }
        out.add(Map.of("x", Tensor.wrapFloats(new long[] {2, 5, 64}, v)));
      }
    }
    return out;
  }

  /** x[2,5,64] → MatMul [64,96] → Add → Relu → MatMul [96,32] → y (opset 13). */
  static Model mlp() {
    Random r = new Random(11);
    Graph g = new Graph("mlp");
    Value x = g.newValue("x", new Type.TensorType(DType.FLOAT, Shape.of(2, 5, 64)));
    g.addInput(x);
    Value w1 = g.addInitializer("w1", gaussian(r, 0.2, 64, 96));
    Value b1 = g.addInitializer("b1", gaussian(r, 0.1, 96));
    Value w2 = g.addInitializer("w2", gaussian(r, 0.2, 96, 32));
    Value h = node(g, "MatMul", "mm1", x, w1);
    Value hb = node(g, "Add", "add1", h, b1);
    Value a = node(g, "Relu", "relu1", hb);
    Value y = node(g, "MatMul", "mm2", a, w2);
    y.setType(new Type.TensorType(DType.FLOAT, Shape.of(2, 5, 32)));
    g.addOutput(y);
    Model m = new Model(g);
    m.opsetImports().put("", 13L);
    m.setIrVersion(8);
    return m;
  }

  private static Value node(Graph g, String op, String name, Value... in) {
    Node n = new Node(op, "", name);
    for (Value v : in) {
      n.addInput(v);
    }
    Value out = g.newValue(name + "_out");
    n.addOutput(out);
    g.addNode(n);
    return out;
  }

  private static Tensor gaussian(Random r, double sd, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * sd);
    }
    return Tensor.wrapFloats(dims, v);
  }
}
