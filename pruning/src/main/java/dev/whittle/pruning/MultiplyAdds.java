package dev.whittle.pruning;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.runtime.ShapeInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Multiply-adds (MACs; one MAC is two FLOPs) of the MatMul, Gemm and Conv nodes of a model's main
 * graph, from shapes: given input shapes where known, every other symbolic input dim set to 1
 * (per batch of 1, per token of a sequence of 1, and so on), then shape inference. For a layer
 * whose weight is a constant, also the MACs if multiplications by zero weights were skipped: each
 * weight is used once per output position, so skipping zeros scales the count by the weight's
 * density. Bias additions and other ops are not counted.
 */
public final class MultiplyAdds {
  private MultiplyAdds() {}

  /**
   * One node: its constant weight (null when the second input is computed), MACs, and MACs with zero
   * weights skipped ({@code dense} when there is no constant weight). Both -1 when shapes are unknown.
   */
  public record Layer(String node, String op, String weight, long dense, long skippingZeros) {
    public boolean known() {
      return dense >= 0;
    }
  }

  /** All counted nodes, and the input shapes the counts are for (e.g. {@code input_ids: [1, 1]}). */
  public record Count(List<Layer> layers, List<String> inputs) {
    public long dense() {
      return layers.stream().filter(Layer::known).mapToLong(Layer::dense).sum();
    }

    public long skippingZeros() {
      return layers.stream().filter(Layer::known).mapToLong(Layer::skippingZeros).sum();
    }

    /** Nodes whose shapes could not be inferred (not in the totals). */
    public long unknown() {
      return layers.stream().filter(l -> !l.known()).count();
    }
  }

  /** Counts for {@code model} (not changed) with the given input dims by name (may be empty). */
  public static Count of(Model model, Map<String, long[]> inputDims) {
    Model m = model.copy();
    List<String> basis = new ArrayList<>();
    for (Value in : m.graph().inputs()) {
      if (in.isInitializer() || !(in.type() instanceof Type.TensorType t) || !t.shape().hasRank()) {
        continue;
      }
      long[] given = inputDims.get(in.name());
      long[] dims = new long[t.shape().rank()];
      for (int i = 0; i < dims.length; i++) {
        Dim d = t.shape().dim(i);
        dims[i] = given != null && given.length == dims.length ? given[i] : d.isFixed() ? d.value() : 1;
      }
      in.setType(new Type.TensorType(t.elementType(), Shape.of(dims)));
      basis.add(in.name() + ": " + java.util.Arrays.toString(dims));
    }
    ShapeInference.infer(m);
    List<Layer> layers = new ArrayList<>();
    for (Node n : m.graph().topologicalOrder()) {
      if (n.isStandard() && (n.is("MatMul") || n.is("Gemm") || n.is("Conv")) && n.inputs().size() >= 2) {
        layers.add(layer(n));
      }
    }
    return new Count(List.copyOf(layers), List.copyOf(basis));
  }

  private static Layer layer(Node n) {
    Value w = n.input(1);
    Tensor constant = w == null ? null : w.initializer() != null ? w.initializer()
        : w.sparseInitializer() != null ? w.sparseInitializer().values() : null;
    String weight = constant == null ? null : w.name();
    long[] a = dims(n.input(0));
    long[] b = dims(w);
    long[] out = dims(n.output(0));
    if (a == null || b == null || out == null) {
      return new Layer(n.name(), n.opType(), weight, -1, -1);
    }
    long outputs = Tensor.elementCount(out);
    long weights = Tensor.elementCount(b);
    // how many outputs each weight feeds: MatMul/Gemm per output column, Conv per output channel
    long perWeight;
    long dense;
    switch (n.opType()) {
      case "Conv" -> {
        perWeight = outputs / Math.max(1, b[0]);
        dense = perWeight * weights;
      }
      case "Gemm" -> {
        long k = n.intAttr("transA", 0) != 0 ? a[0] : a[a.length - 1];
        dense = outputs * k;
        perWeight = b.length == 2 ? outputs / Math.max(1, n.intAttr("transB", 0) != 0 ? b[0] : b[1]) : 0;
      }
      default -> {
        dense = outputs * a[a.length - 1];
        perWeight = b.length == 2 ? outputs / Math.max(1, b[1]) : 0;
      }
    }
    long skipping = constant == null || perWeight == 0 || !ParameterCount.numeric(constant.dtype()) ? dense
        : perWeight * ParameterCount.nonZero(w);
    return new Layer(n.name(), n.opType(), weight, dense, skipping);
  }

  /** Fixed dims of a value's type, or null. */
  private static long[] dims(Value v) {
    if (v == null) {
      return null;
    }
    if (v.initializer() != null) {
      return v.initializer().dims();
    }
    if (v.sparseInitializer() != null) {
      return v.sparseInitializer().dims();
    }
    return v.type() instanceof Type.TensorType t && t.shape().hasRank() && t.shape().isStatic() ? t.shape().toArray() : null;
  }
}
