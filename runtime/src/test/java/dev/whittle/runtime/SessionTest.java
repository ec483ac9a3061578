package dev.whittle.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SessionTest {
  /** y = Relu(x + w), x float32[2,3]. */
  private static Model model(String... extraOps) {
    Graph g = new Graph("g");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 2, 3));
    g.addInput(x);
    Value w = g.addInitializer("w", Tensor.ofFloats(new long[] {3}, 1f, -2f, 0.5f));
    Node add = g.addNode(new Node("Add", "", "add"));
    add.addInput(x);
    add.addInput(w);
    Value s = g.newValue("s");
    add.addOutput(s);
    Node relu = g.addNode(new Node("Relu", "", "relu"));
    relu.addInput(s);
    Value y = g.newValue("y");
    relu.addOutput(y);
    Value last = y;
    for (String op : extraOps) {
      Node n = g.addNode(new Node(op, "", op.toLowerCase()));
      n.addInput(last);
      last = g.newValue(op + "_out");
      n.addOutput(last);
    }
    g.addOutput(last);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static Tensor input(float... v) {
    return Tensor.ofFloats(new long[] {2, 3}, v);
  }

  @Test
  void runsAndReturnsOutputsByName() {
    try (Session s = Session.open(model())) {
      Tensor y = s.run(Map.of("x", input(0, 0, 0, 1, 1, 1))).get("y");
      // Relu(x + [1, -2, 0.5]) computed by hand.
      assertArrayEquals(new float[] {1, 0, 0.5f, 2, 0, 1.5f}, y.toFloatArray());
    }
  }

  @Test
  void unsupportedOpsAreAllListedBeforeRunning() {
    WhittleException e = assertThrows(WhittleException.class, () -> Session.open(model("NoSuchOp", "AlsoMissing")));
    assertTrue(e.getMessage().contains("NoSuchOp") && e.getMessage().contains("AlsoMissing"), e.getMessage());
  }

  @Test
  void inputsAreCheckedAgainstTheDeclaration() {
    try (Session s = Session.open(model())) {
      String missing = assertThrows(WhittleException.class, () -> s.run(Map.of())).getMessage();
      assertTrue(missing.contains("missing input 'x'") && missing.contains("float32[2,3]"), missing);
      String type = assertThrows(WhittleException.class,
          () -> s.run(Map.of("x", Tensor.ofLongs(new long[] {2, 3}, new long[6])))).getMessage();
      assertTrue(type.contains("'x'") && type.contains("element type") && type.contains("int64[2,3]"), type);
      String shape = assertThrows(WhittleException.class,
          () -> s.run(Map.of("x", Tensor.ofFloats(new long[] {3, 2}, new float[6])))).getMessage();
      assertTrue(shape.contains("'x'") && shape.contains("float32[2,3]") && shape.contains("[3,2]"), shape);
      String unknown = assertThrows(WhittleException.class, () -> s.run(Map.of("x", input(new float[6]), "z", input(new float[6]))))
          .getMessage();
      assertTrue(unknown.contains("unknown input 'z'"), unknown);
    }
  }

  @Test
  void tapsSeeIntermediateValuesWithoutCopies() {
    List<String> seen = new ArrayList<>();
    try (Session s = Session.open(model())) {
      s.runValues(Map.of("x", input(1, 2, 3, 4, 5, 6)), RunOptions.tap(java.util.Set.of("s"), (name, t) -> {
        seen.add(name);
        assertArrayEquals(new float[] {2, 0, 3.5f, 5, 3, 6.5f}, t.toFloatArray());
      }));
    }
    assertEquals(List.of("s"), seen);
  }

  @Test
  void oneSessionServesSeveralThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Session s = Session.open(model("Neg", "Abs"))) {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 64; t++) {
        float v = t;
        results.add(pool.submit(() -> s.run(Map.of("x", input(v, v, v, v, v, v))).get("Abs_out").toFloatArray()));
      }
      for (int t = 0; t < 64; t++) {
        float[] out = results.get(t).get();
        assertEquals(Math.max(0, t + 1f), out[0]);
        assertEquals(Math.max(0, t - 2f), out[1]);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void threadedMatMulGivesBitIdenticalResults() {
    Graph g = new Graph("mm");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 3, 67, 48));
    g.addInput(x);
    float[] wv = new float[48 * 40];
    for (int i = 0; i < wv.length; i++) {
      wv[i] = (float) Math.sin(i);
    }
    Value w = g.addInitializer("w", Tensor.ofFloats(new long[] {48, 40}, wv));
    Node mm = g.addNode(new Node("MatMul", "", "mm"));
    mm.addInput(x);
    mm.addInput(w);
    Value y = g.newValue("y");
    mm.addOutput(y);
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    float[] xv = new float[3 * 67 * 48];
    for (int i = 0; i < xv.length; i++) {
      xv[i] = (float) Math.cos(i * 0.37);
    }
    Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {3, 67, 48}, xv));
    float[] one;
    try (Session s = Session.open(m)) {
      one = s.run(in).get("y").toFloatArray();
    }
    try (Session s = Session.open(m, SessionOptions.defaults().withThreads(2))) {
      assertArrayEquals(one, s.run(in).get("y").toFloatArray());
    }
  }

  /** custom::AddLeaky(X, Y) = LeakyRelu(X + Y, alpha = caller's "slope"), called with slope 0.5. */
  @Test
  void modelLocalFunctionsRunWithTheCallersAttributes() {
    Graph body = new Graph("AddLeaky");
    Value fx = body.newValue("X");
    Value fy = body.newValue("Y");
    body.addInput(fx);
    body.addInput(fy);
    Node add = body.addNode(new Node("Add", "", "add"));
    add.addInput(fx);
    add.addInput(fy);
    Value sum = body.newValue("S");
    add.addOutput(sum);
    Node leaky = body.addNode(new Node("LeakyRelu", "", "leaky"));
    leaky.addInput(sum);
    leaky.setAttribute(dev.whittle.ir.Attribute.reference("alpha", dev.whittle.ir.Attribute.Kind.FLOAT, "slope"));
    Value z = body.newValue("Z");
    leaky.addOutput(z);
    body.addOutput(z);
    dev.whittle.ir.Function f = new dev.whittle.ir.Function("AddLeaky", "custom", body);
    f.attributeNames().add("slope");
    f.opsetImports().put("", 17L);

    Graph g = new Graph("main");
    Value a = g.newValue("a", Type.tensor(DType.FLOAT, 3));
    Value b = g.newValue("b", Type.tensor(DType.FLOAT, 3));
    g.addInput(a);
    g.addInput(b);
    Node call = g.addNode(new Node("AddLeaky", "custom", "call"));
    call.addInput(a);
    call.addInput(b);
    call.setAttribute(dev.whittle.ir.Attribute.of("slope", 0.5f));
    Value out = g.newValue("out");
    call.addOutput(out);
    g.addOutput(out);
    Model m = new Model(g);
    m.setIrVersion(10);
    m.opsetImports().put("", 17L);
    m.opsetImports().put("custom", 1L);
    m.functions().add(f);
    try (Session s = Session.open(m)) {
      Tensor y = s.run(Map.of("a", Tensor.ofFloats(new long[] {3}, 1f, -4f, 0f), "b", Tensor.ofFloats(new long[] {3}, 1f, 2f, -2f)))
          .get("out");
      // [1+1, -4+2, 0-2] = [2, -2, -2] -> LeakyRelu(0.5) = [2, -1, -1]
      assertArrayEquals(new float[] {2f, -1f, -1f}, y.toFloatArray());
    }
  }

  @Test
  void shapeInferenceFillsValueInfo() {
    Model m = model();
    ShapeInference.Report r = ShapeInference.infer(m);
    assertEquals(Collections.emptyList(), r.conflicts());
    assertEquals(Type.tensor(DType.FLOAT, 2, 3), m.graph().value("s").type());
    assertTrue(m.graph().valueInfo().contains(m.graph().value("s")));
  }
}
