package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.runtime.Session;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which initializers go sparse, what they cost, and that a written sparse model reads back and runs with the same values. */
class SparseInitializersTest {
  /** x[1,4] · A[4,6] (20 of 24 zero) + b[6] (all zero) → MatMul with B[6,2] (half zero). */
  private static Model model() {
    Graph g = new Graph("sparse");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 1, 4));
    g.addInput(x);
    float[] a = new float[24];
    a[1] = 1.5f;
    a[7] = -2f;
    a[14] = 0.25f;
    a[23] = 3f;
    Value h = op(g, "MatMul", x, g.addInitializer("A", Tensor.ofFloats(new long[] {4, 6}, a)));
    Value hb = op(g, "Add", h, g.addInitializer("b", Tensor.ofFloats(new long[] {6}, new float[6])));
    Value y = op(g, "MatMul", hb, g.addInitializer("B", Tensor.ofFloats(new long[] {6, 2}, 1, 0, 0, 2, 3, 0, 0, 4, 5, 0, 0, 6)));
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static Value op(Graph g, String type, Value a, Value b) {
    Node n = g.addNode(new Node(type, "", type + "_" + g.nodes().size()));
    n.addInput(a);
    n.addInput(b);
    Value out = g.newValue(n.name() + "_out");
    n.addOutput(out);
    return out;
  }

  @Test
  void autoStoresSparselyOnlyFloatsThatGetSmaller() {
    Model m = model();
    // an integer constant (a shape, say) stays dense even where sparse would be smaller
    m.graph().addInitializer("shape", Tensor.ofLongs(new long[] {4}, 0, 0, 0, 5));
    List<SparseInitializers.Choice> choices = SparseInitializers.apply(m, SparseInitializers.Format.AUTO, Set.of());
    // dense 4 bytes per element; sparse 4 + 8 bytes per non-zero
    assertEquals(List.of(new SparseInitializers.Choice("A", 96, 48, true), new SparseInitializers.Choice("b", 24, 0, true),
        new SparseInitializers.Choice("B", 48, 72, false)), choices);
    assertNull(m.graph().value("A").initializer());
    assertEquals(List.of("A", "b"), m.graph().sparseInitializers().stream().map(Value::name).toList());
    assertEquals(4, m.graph().value("shape").initializer().elementCount());
  }

  @Test
  void sparseConvertsThePrunedWeightsWhateverTheirSizeAndDenseNothing() {
    Model m = model();
    assertEquals(List.of(), SparseInitializers.apply(m, SparseInitializers.Format.DENSE, Set.of("B")));
    List<SparseInitializers.Choice> choices = SparseInitializers.apply(m, SparseInitializers.Format.SPARSE, Set.of("B"));
    assertEquals(List.of(new SparseInitializers.Choice("B", 48, 72, true)), choices);
  }

  @Test
  void aWrittenSparseModelReadsBackAndRunsLikeTheDenseOne() {
    Model m = model();
    SparseInitializers.apply(m, SparseInitializers.Format.SPARSE, Set.of("A", "b", "B"));
    Model back = OnnxReader.parse(OnnxWriter.toBytes(m));
    assertEquals(3, back.graph().sparseInitializers().size());
    Value a = back.graph().value("A");
    assertArrayEquals(new long[] {1, 7, 14, 23}, a.sparseInitializer().indices().toLongArray(), "linearized, ascending");
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3f}, a.sparseInitializer().values().toFloatArray());
    assertEquals(Type.tensor(DType.FLOAT, 4, 6), a.type(), "a sparse initializer's value is typed like a dense one");
    float[] x = {1, 2, 3, 4};
    // by hand: x·A = [0, 1·1.5 + 2·(-2), 3·0.25, 0, 0, 4·3] = [0, -2.5, 0.75, 0, 0, 12];
    // times B (rows [1,0] [0,2] [3,0] [0,4] [5,0] [0,6]): [0.75·3, -2.5·2 + 12·6]
    try (Session s = Session.open(back)) {
      float[] y = s.run(Map.of("x", Tensor.ofFloats(new long[] {1, 4}, x))).values().iterator().next().toFloatArray();
      assertArrayEquals(new float[] {2.25f, 67f}, y, 1e-6f);
    }
    assertEquals(3, SparseInitializers.densify(back));
    assertEquals(List.of(), back.graph().sparseInitializers());
    assertArrayEquals(new float[] {1, 0, 0, 2, 3, 0, 0, 4, 5, 0, 0, 6}, back.graph().value("B").initializer().toFloatArray());
  }
}
