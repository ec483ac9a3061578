package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Captures in execution order, each running only new nodes, against running the model from its inputs every time. */
class SequentialCaptureTest {
  /** x[3,8] → MatMul W1 → h1 → Relu → r → MatMul W2 → h2; s = h2 + h1 (h1 read late); MatMul W3 → y. */
  static Model residual() {
    Random rnd = new Random(11);
    Graph g = new Graph("res");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 3, 8));
    g.addInput(x);
    Value h1 = op(g, "MatMul", "h1", x, g.addInitializer("W1", random(rnd, 8, 8)));
    Value r = op(g, "Relu", "r", h1);
    Value h2 = op(g, "MatMul", "h2", r, g.addInitializer("W2", random(rnd, 8, 8)));
    Value s = op(g, "Add", "s", h2, h1);
    g.addOutput(op(g, "MatMul", "y", s, g.addInitializer("W3", random(rnd, 8, 4))));
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static Value op(Graph g, String type, String name, Value... in) {
    Node n = g.addNode(new Node(type, "", name));
    for (Value v : in) {
      n.addInput(v);
    }
    Value out = g.newValue(name);
    n.addOutput(out);
    return out;
  }

  static Tensor random(Random r, long... dims) {
    float[] v = new float[(int) Tensor.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.ofFloats(dims, v);
  }

  private static void assertSame(List<Tensor> expected, List<Tensor> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray(), 1e-6f, what + " sample " + i);
    }
  }

  @Test
  void eachCaptureMatchesARunFromTheInputsAsLayersChangeInOrder() {
    Model m = residual();
    Random rnd = new Random(5);
    List<Map<String, Tensor>> samples = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      samples.add(Map.of("x", random(rnd, 3, 8)));
    }
    SequentialCapture c = new SequentialCapture(samples);
    assertSame(LayerInputs.capture(m, "x", samples), c.capture(m, "x"), "x");
    // W1 changes after its input was captured (as a pruner does), before r is
    m.graph().setInitializer(m.graph().value("W1"), random(rnd, 8, 8));
    assertSame(LayerInputs.capture(m, "r", samples), c.capture(m, "r"), "r");
    m.graph().setInitializer(m.graph().value("W2"), random(rnd, 8, 8));
    // s reads h1, computed in the run that gave r: it is fed from that run, W2's new weights are used
    assertSame(LayerInputs.capture(m, "s", samples), c.capture(m, "s"), "s");
    // a weight of a node already run changes: the capture starts over and still matches
    m.graph().setInitializer(m.graph().value("W1"), random(rnd, 8, 8));
    assertSame(LayerInputs.capture(m, "s", samples), c.capture(m, "s"), "s after W1 changed");
    // asked again, unchanged
    assertSame(LayerInputs.capture(m, "s", samples), c.capture(m, "s"), "s again");
    assertSame(LayerInputs.capture(m, "r", samples), c.capture(m, "r"), "r after s");
  }
}
