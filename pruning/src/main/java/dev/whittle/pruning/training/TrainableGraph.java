package dev.whittle.pruning.training;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.passes.cleanup.GraphWalk;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A differentiable float32 copy of the part of a model that computes one value (the target a loss
 * reads): a forward pass on a {@link Tape}, and a backward pass that accumulates the gradients of
 * the chosen trainable initializers given the target's gradient. Every other initializer is a constant. The
 * parameters are live arrays: changing them changes the next forward pass.
 *
 * <p>Nodes that no trainable parameter reaches and that the engine cannot run (an unsupported op,
 * a non-float graph input, or an input computed by such a node: an embedding lookup and what
 * follows it before the first trained weight, an attention mask's Cast) are left out: their values,
 * the same whatever the parameters, are fed to {@link #forward} like graph inputs
 * ({@link #frozenValues()}), computed once by whoever runs the model.
 *
 * <p>Supported ops: {@link #SUPPORTED}. Building refuses any other op that a trainable parameter
 * reaches on the way to the target, naming the node, before anything runs.
 */
public final class TrainableGraph {
  public static final List<String> SUPPORTED = List.of("Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu",
      "LeakyRelu", "Sigmoid", "Tanh", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Reshape",
      "Flatten", "Identity", "Softmax", "Transpose", "ReduceMean", "Pow", "Sqrt", "Erf");

  private final List<Step> steps = new ArrayList<>();
  /** The output slot of each step. */
  private final List<Integer> stepOutputs = new ArrayList<>();
  private final Map<Value, Integer> slots = new LinkedHashMap<>();
  private final List<float[]> constants = new ArrayList<>();
  private final List<int[]> constantDims = new ArrayList<>();
  private final Map<String, Integer> parameters = new LinkedHashMap<>();
  private final Map<String, Integer> inputs = new LinkedHashMap<>();
  /** Nodes left out (see the class comment): their outputs are fed. */
  private final Set<Node> frozen = new HashSet<>();
  private final List<String> frozenValues = new ArrayList<>();
  private final long opset;
  private boolean[] needsGrad;
  private boolean[] parameter;
  private int target;

  private TrainableGraph(Model model) {
    this.opset = model.opsetImports().getOrDefault("", 1L);
  }

  /**
   * The part of {@code model}'s main graph computing {@code target}, with the float32 initializers
   * named in {@code trainable} (others are ignored) as parameters.
   *
   * @throws WhittleException when an op on the way is not {@link #SUPPORTED} or an operand is not float32
   */
  public static TrainableGraph of(Model model, String target, Collection<String> trainable) {
    TrainableGraph g = new TrainableGraph(model);
    Value t = model.graph().value(target);
    if (t == null || t.isInitializer() || t.producer() == null) {
      throw WhittleException.builder("no computed value '" + target + "' to train").expected("a value computed by a node").build();
    }
    Set<Node> needed = GraphWalk.producersOf(t);
    Set<String> params = new HashSet<>(trainable);
    Set<Value> reached = new HashSet<>();
    for (Node node : model.graph().topologicalOrder()) {
      if (!needed.contains(node)) {
        continue;
      }
      boolean trained = node.inputs().stream().anyMatch(v -> v != null
          && (reached.contains(v) || v.isInitializer() && !v.isGraphInput() && params.contains(v.name())));
      if (trained) {
        node.outputs().stream().filter(java.util.Objects::nonNull).forEach(reached::add);
      } else if (g.mustFreeze(node)) {
        g.frozen.add(node);
        continue;
      }
      g.add(node, params);
    }
    g.target = g.slot(t, params);
    g.finish();
    return g;
  }

  /** A node no parameter reaches is left out when the engine could not run it. */
  private boolean mustFreeze(Node node) {
    if (!node.isStandard() || !SUPPORTED.contains(node.opType())) {
      return true;
    }
    return node.inputs().stream().anyMatch(v -> v != null && (v.producer() != null && frozen.contains(v.producer())
        || v.isGraphInput() && !v.isInitializer() && (v.tensorType() == null || v.tensorType().elementType() != DType.FLOAT)));
  }

  private void add(Node node, Set<String> trainable) {
    if (!node.isStandard() || !SUPPORTED.contains(node.opType())) {
      throw node.error("distillation cannot train through this op")
          .expected("ops " + String.join(", ", SUPPORTED)).found(node.opType()).build();
    }
    if (node.outputs().size() > 1 && node.outputs().subList(1, node.outputs().size()).stream().anyMatch(v -> v != null && v.isUsed())) {
      throw node.error("distillation cannot train through this node: its second output is in use")
          .expected("only the first output used").build();
    }
    int index = steps.size();
    int x = slot(node.input(0), trainable);
    int y = newSlot(node.output(0));
    stepOutputs.add(y);
    steps.add(switch (node.opType()) {
      case "Conv" -> new ConvStep(node, index, x, slot(node.input(1), trainable), optional(node, 2, trainable), y);
      case "Gemm" -> new DenseStep(node, index, x, slot(node.input(1), trainable), optional(node, 2, trainable), y);
      case "MatMul" -> constantMatrix(node.input(1))
          ? new DenseStep(node, index, x, slot(node.input(1), trainable), -1, y)
          : new BatchedMatMulStep(node, index, x, slot(node.input(1), trainable), y);
      case "Transpose" -> new TransposeStep(node, index, x, y);
      case "ReduceMean" -> new ReduceMeanStep(node, index, reduceAxes(node), x, y);
      case "Add", "Sub", "Mul", "Div", "Pow" -> new ElementwiseStep(node, index, x, slot(node.input(1), trainable), y);
      case "MaxPool", "AveragePool", "GlobalAveragePool" -> new PoolStep(node, index, x, y);
      case "BatchNormalization" -> batchNorm(node, x, y);
      case "Reshape" -> new ShapeStep(node, constantShape(node), x, y);
      case "Flatten" -> new ShapeStep(node, null, x, y);
      case "Softmax" -> new SoftmaxStep(node, opset, x, y);
      default -> new ActivationStep(node, x, y);
    });
  }

  private static boolean constantMatrix(Value v) {
    return v.isInitializer() && !v.isGraphInput() && v.initializer().dims().length == 2;
  }

  private long[] reduceAxes(Node node) {
    if (opset < 18) {
      return node.intsAttr("axes", null);
    }
    Value v = node.inputs().size() > 1 ? node.input(1) : null;
    if (v == null) {
      return null;
    }
    if (!v.isInitializer() || v.isGraphInput() || v.initializer().dtype() != DType.INT64) {
      throw node.error("ReduceMean needs constant axes").expected("an int64 initializer as input 1").build();
    }
    return v.initializer().toLongArray();
  }

  private int optional(Node node, int i, Set<String> trainable) {
    return node.inputs().size() > i && node.input(i) != null ? slot(node.input(i), trainable) : -1;
  }

  private Step batchNorm(Node node, int x, int y) {
    if (node.intAttr("training_mode", 0) != 0) {
      throw node.error("BatchNormalization in training mode").expected("training_mode 0").build();
    }
    float[][] stats = new float[4][];
    for (int i = 1; i <= 4; i++) {
      Value v = node.input(i);
      if (v == null || !v.isInitializer() || v.isGraphInput()) {
        throw node.error("BatchNormalization statistics must be constants").expected("initializers for inputs 1-4").build();
      }
      stats[i - 1] = floats(node, v);
    }
    return new BatchNormStep(node, x, y, stats[0], stats[1], stats[2], stats[3]);
  }

  private static long[] constantShape(Node node) {
    Value v = node.input(1);
    if (v == null || !v.isInitializer() || v.isGraphInput() || v.initializer().dtype() != DType.INT64) {
      throw node.error("Reshape needs a constant shape").expected("an int64 initializer as input 1").build();
    }
    return v.initializer().toLongArray();
  }

  private static float[] floats(Node node, Value v) {
    if (v.initializer().dtype() != DType.FLOAT) {
      throw node.error("operand '" + v.name() + "' is not float32").expected("float32").found(v.initializer().dtype().displayName()).build();
    }
    return v.initializer().toFloatArray();
  }

  /** The slot of an operand: graph inputs and computed values as they come, initializers loaded (as parameters when trainable). */
  private int slot(Value v, Set<String> trainable) {
    Integer s = slots.get(v);
    if (s != null) {
      return s;
    }
    int n = newSlot(v);
    if (v.isInitializer() && !v.isGraphInput()) {
      Node user = v.uses().isEmpty() ? null : v.uses().getFirst().node();
      constants.set(n, user == null ? v.initializer().toFloatArray() : floats(user, v));
      constantDims.set(n, Shapes.ints(v.initializer().dims()));
      if (trainable.contains(v.name())) {
        parameters.put(v.name(), n);
      }
    } else if (v.isGraphInput()) {
      inputs.put(v.name(), n);
    } else if (v.producer() != null && frozen.contains(v.producer())) {
      inputs.put(v.name(), n);
      frozenValues.add(v.name());
    }
    return n;
  }

  private int newSlot(Value v) {
    int n = slots.size();
    slots.put(v, n);
    constants.add(null);
    constantDims.add(null);
    return n;
  }

  /** Which slots carry gradients: the parameters and everything computed from them. */
  private void finish() {
    needsGrad = new boolean[slots.size()];
    parameter = new boolean[slots.size()];
    parameters.values().forEach(s -> {
      needsGrad[s] = true;
      parameter[s] = true;
    });
    // slots were numbered in execution order, so one pass sees every input before the value it computes
    for (Map.Entry<Value, Integer> e : slots.entrySet()) {
      Node p = e.getKey().producer();
      if (p != null && p.inputs().stream().anyMatch(v -> v != null && slots.containsKey(v) && needsGrad[slots.get(v)])) {
        needsGrad[e.getValue()] = true;
      }
    }
  }

  /**
   * Values computed by nodes the engine leaves out (see the class comment), which {@link #forward}'s
   * feeds must hold besides the graph inputs it reads; empty when the engine runs the whole way.
   */
  public List<String> frozenValues() {
    return List.copyOf(frozenValues);
  }

  /** Names of the trainable parameters, in the order the graph first uses them. */
  public List<String> parameters() {
    return List.copyOf(parameters.keySet());
  }

  /** The live values of parameter {@code name} (row-major, the initializer's layout). */
  public float[] parameter(String name) {
    return constants.get(parameters.get(name));
  }


  public Tape newTape() {
    Tape t = new Tape(slots.size(), steps.size(), needsGrad, parameter);
    for (int s = 0; s < constants.size(); s++) {
      t.data[s] = constants.get(s);
      t.dims[s] = constantDims.get(s);
    }
    return t;
  }

  /**
   * Runs the forward pass on {@code t} with {@code feeds} holding the graph inputs it reads and the
   * {@link #frozenValues()}; returns the target's values (valid until the next forward pass on {@code t}).
   */
  public float[] forward(Tape t, Map<String, Tensor> feeds) {
    for (Map.Entry<String, Integer> e : inputs.entrySet()) {
      Tensor in = feeds.get(e.getKey());
      if (in == null || in.dtype() != DType.FLOAT) {
        throw WhittleException.builder("value '" + e.getKey() + "' for training").expected("a float32 tensor")
            .found(in == null ? "none" : in.dtype().displayName()).build();
      }
      t.data[e.getValue()] = in.toFloatArray();
      t.dims[e.getValue()] = Shapes.ints(in.dims());
    }
    for (Step s : steps) {
      s.forward(t);
    }
    return t.data[target];
  }

  /** The target's dims after the last forward pass on {@code t}. */
  public int[] targetDims(Tape t) {
    return t.dims[target].clone();
  }

  /** Adds the parameter gradients for target gradient {@code dTarget} to those accumulated on {@code t}. */
  public void backward(Tape t, float[] dTarget) {
    t.beginBackward();
    float[] g = t.grad(target);
    if (g == null) {
      return;
    }
    System.arraycopy(dTarget, 0, g, 0, g.length);
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (t.gradIfAny(stepOutputs.get(i)) != null) {
        steps.get(i).backward(t);
      }
    }
  }

  /** The gradient of parameter {@code name} accumulated on {@code t} (zeros when none). */
  public float[] gradient(Tape t, String name) {
    int s = parameters.get(name);
    float[] g = t.gradIfAny(s);
    return g != null ? g : new float[constants.get(s).length];
  }
}
