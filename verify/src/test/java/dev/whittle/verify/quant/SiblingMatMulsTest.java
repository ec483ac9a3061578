package dev.whittle.verify.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.verify.OrtRunner;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Dynamic per-channel quantization merges MatMuls reading one activation (query/key/value) into one
 * MatMulInteger and a Split. Checked in ONNX Runtime: each output equals the output of the model in
 * which only that MatMul is quantized (the others excluded, so nothing is merged), and the decisions
 * still name the original nodes.
 */
class SiblingMatMulsTest {
  private static final List<String> NAMES = List.of("query", "key", "value");
  private static final int[] WIDTHS = {8, 8, 12};

  /** x[2,5,16] read by three MatMul + bias Add layers of widths 8, 8 and 12, each a graph output. */
  private static Model siblings(Random r) {
    Graph g = new Graph("siblings");
    Value x = g.newValue("x", new Type.TensorType(DType.FLOAT, Shape.of(2, 5, 16)));
    g.addInput(x);
    for (int i = 0; i < NAMES.size(); i++) {
      Node mm = new Node("MatMul", "", NAMES.get(i));
      mm.addInput(x);
      mm.addInput(g.addInitializer(NAMES.get(i) + "_w", gaussian(r, 16, WIDTHS[i])));
      Value product = g.newValue(NAMES.get(i) + "_product");
      mm.addOutput(product);
      g.addNode(mm);
      Node add = new Node("Add", "", NAMES.get(i) + "_bias");
      add.addInput(product);
      add.addInput(g.addInitializer(NAMES.get(i) + "_b", gaussian(r, WIDTHS[i])));
      Value y = g.newValue(NAMES.get(i) + "_out", new Type.TensorType(DType.FLOAT, Shape.of(2, 5, WIDTHS[i])));
      add.addOutput(y);
      g.addNode(add);
      g.addOutput(y);
    }
    Model m = new Model(g);
    m.opsetImports().put("", 13L);
    m.setIrVersion(8);
    return m;
  }

  private static Tensor gaussian(Random r, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.wrapFloats(dims, v);
  }

  @Test
  void mergedProductsEqualTheSeparatelyQuantizedOnes() {
    Random r = new Random(5);
    Model model = siblings(r);
    QuantizationOptions o = QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(true).withPerToken(Set.of());
    ModelQuantizer.Result merged = ModelQuantizer.quantize(model, o);
    assertEquals(NAMES, merged.decisions().stream().map(ModelQuantizer.Decision::node).toList());
    assertTrue(merged.decisions().stream().allMatch(d -> d.quantized() && d.detail().contains("merged")), merged.decisions().toString());
    assertEquals(1, merged.model().graph().nodes().stream().filter(n -> n.opType().equals("MatMulInteger")).count());
    assertEquals(1, merged.model().graph().nodes().stream().filter(n -> n.opType().equals("Split")).count());
    Map<String, Tensor> in = Map.of("x", gaussian(r, 2, 5, 16));
    try (OrtRunner q = OrtRunner.open(OnnxWriter.toBytes(merged.model()))) {
      Map<String, Tensor> out = q.run(in);
      for (String name : NAMES) {
        Set<String> others = new java.util.HashSet<>(NAMES);
        others.remove(name);
        Model alone = ModelQuantizer.quantize(model, o.withExclude(others)).model();
        assertEquals(1, alone.graph().nodes().stream().filter(n -> n.opType().equals("MatMulInteger")).count());
        try (OrtRunner a = OrtRunner.open(OnnxWriter.toBytes(alone))) {
          float[] expected = a.run(in).get(name + "_out").toFloatArray();
          float[] actual = out.get(name + "_out").toFloatArray();
          for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6f * Math.max(1, Math.abs(expected[i])), name + "[" + i + "]");
          }
        }
      }
    }
  }
}
