package dev.whittle.pruning.training;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One op on tiny random operands, built two ways: for Whittle's runtime with the float operands as
 * graph inputs (so they can be perturbed), and for the training engine with them as trainable
 * initializers. Operands named in {@code constants} (shapes, batch-norm statistics) stay initializers.
 */
record OpCase(String label, String op, long opset, List<String> names, Map<String, Tensor> operands, List<String> constants,
    List<Attribute> attributes) {

  static Builder of(String label, String op) {
    return new Builder(label, op);
  }

  Model forRuntime() {
    return build(true);
  }

  Model forTraining() {
    return build(false);
  }

  /** The float operands that are perturbed and trained. */
  List<String> variables() {
    return names.stream().filter(n -> !constants.contains(n)).toList();
  }

  private Model build(boolean asInputs) {
    Graph g = new Graph(label);
    Node node = g.addNode(new Node(op, "", "node"));
    for (String name : names) {
      Tensor t = operands.get(name);
      Value v;
      if (asInputs && !constants.contains(name)) {
        v = g.newValue(name, Type.tensor(DType.FLOAT, t.dims()));
        g.addInput(v);
      } else {
        v = g.addInitializer(name, t);
      }
      node.addInput(v);
    }
    attributes.forEach(node::setAttribute);
    Value y = g.newValue("y");
    node.addOutput(y);
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", opset);
    return m;
  }

  /** Collects operands in input order. */
  static final class Builder {
    private final String label;
    private final String op;
    private long opset = 13;
    private final List<String> names = new ArrayList<>();
    private final Map<String, Tensor> operands = new LinkedHashMap<>();
    private final List<String> constants = new ArrayList<>();
    private final List<Attribute> attributes = new ArrayList<>();
    private final Random random;

    Builder(String label, String op) {
      this.label = label;
      this.op = op;
      this.random = new Random(label.hashCode());
    }

    /** A float operand uniform in [lo, hi), kept at least {@code gap} away from 0. */
    Builder uniform(String name, double lo, double hi, double gap, long... dims) {
      float[] v = new float[(int) Tensor.elementCount(dims)];
      for (int i = 0; i < v.length; i++) {
        double x;
        do {
          x = lo + (hi - lo) * random.nextDouble();
        } while (Math.abs(x) < gap);
        v[i] = (float) x;
      }
      return operand(name, Tensor.ofFloats(dims, v));
    }

    Builder random(String name, long... dims) {
      return uniform(name, -1, 1, 0, dims);
    }

    /** A float operand whose values are a shuffled grid 0.05 apart: no ties for MaxPool, no kinks near. */
    Builder distinct(String name, long... dims) {
      int n = (int) Tensor.elementCount(dims);
      List<Float> grid = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        grid.add((float) (0.05 * (i - n / 2) + 0.025));
      }
      java.util.Collections.shuffle(grid, random);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = grid.get(i);
      }
      return operand(name, Tensor.ofFloats(dims, v));
    }

    Builder operand(String name, Tensor t) {
      names.add(name);
      operands.put(name, t);
      return this;
    }

    Builder constant(String name, Tensor t) {
      constants.add(name);
      return operand(name, t);
    }

    Builder attr(Attribute a) {
      attributes.add(a);
      return this;
    }

    Builder opset(long v) {
      this.opset = v;
      return this;
    }

    OpCase build() {
      return new OpCase(label, op, opset, names, operands, constants, attributes);
    }
  }
}
