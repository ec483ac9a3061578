package dev.whittle.pruning;

import dev.whittle.ir.Graph;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows a layer's output channels through the graph to every place they end, and says what
 * removing some of them would change ({@link ChannelGroup}), or why they cannot be removed
 * ({@link Refusal}: the node, its op, and what it does to the channels).
 *
 * <p>Channels pass unchanged through elementwise activations, BatchNormalization and
 * InstanceNormalization (their per-channel parameters are sliced), Add/Sub/Mul/Div/Pow/PRelu with a
 * constant operand (sliced when it is per channel, kept when it broadcasts), pooling, Pad of other
 * axes, Transpose (the channel axis moves), depthwise Convs (their weights, bias and group count
 * shrink), Concat (the channels keep their offset) and Flatten/Reshape to [N, C·rest] (each channel
 * becomes a block of positions). They end at Conv (group 1), Gemm and MatMul layers reading them as
 * input channels. An Add/Sub/Mul/Div of two computed values (a residual Add, x·sigmoid(x), a
 * squeeze-and-excitation gate) joins the layers feeding both operands into one group: their
 * channels go together. Anything else (a graph output, Shape, an op not listed, a
 * Reshape that mixes channels with other axes) stops the trace with a reason.
 */
final class ChannelTracer {
  /** Why a group cannot be pruned. */
  static final class Refusal extends RuntimeException {
    Refusal(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final Set<String> UNARY = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu",
      "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Abs", "Neg", "Identity", "Erf", "Gelu", "Mish",
      "ThresholdedRelu", "Sqrt", "Exp", "Floor", "Ceil", "Round", "Sign", "Reciprocal", "Clip", "Dropout", "Cast");
  private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
      "GlobalLpPool");
  private static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "Pow", "PRelu");

  private final Graph graph;
  private final Map<String, Type.TensorType> shapes;
  private final Map<Node, PrunableLayer> layers = new IdentityHashMap<>();
  private final Set<Value> readBySubgraphs = Collections.newSetFromMap(new IdentityHashMap<>());

  // per trace
  private int channels;
  private List<PrunableLayer> producers;
  private Map<Value, ChannelMap> seen;
  private Set<Node> visited;
  private List<ChannelGroup.Edit> edits;
  private List<Node> consumers;
  private Deque<Value> todo;

  /** {@code shapes}: value types by name (inferred); {@code candidates}: the layers that may produce channels. */
  ChannelTracer(Graph graph, Map<String, Type.TensorType> shapes, List<PrunableLayer> candidates) {
    this.graph = graph;
    this.shapes = shapes;
    candidates.forEach(l -> layers.put(l.node(), l));
    for (Node n : graph.nodes()) {
      if (!n.subgraphs().isEmpty()) {
        readBySubgraphs.addAll(Graph.outerReferences(n));
      }
    }
  }

  /** The group of {@code root}'s output channels, or a {@link Refusal}. */
  ChannelGroup trace(PrunableLayer root) {
    channels = root.n();
    producers = new ArrayList<>();
    seen = new LinkedHashMap<>();
    visited = Collections.newSetFromMap(new IdentityHashMap<>());
    edits = new ArrayList<>();
    consumers = new ArrayList<>();
    todo = new ArrayDeque<>();
    addProducer(root);
    while (!todo.isEmpty()) {
      Value v = todo.poll();
      ChannelMap m = seen.get(v);
      if (v.isGraphOutput()) {
        throw new Refusal("its channels reach the graph output '" + v.name() + "'");
      }
      if (readBySubgraphs.contains(v)) {
        throw new Refusal("its channels reach '" + v.name() + "', which a subgraph reads");
      }
      for (Value.Use u : List.copyOf(v.uses())) {
        if (u.node().graph() != graph) {
          throw new Refusal("its channels reach '" + v.name() + "', which a subgraph reads");
        }
        visit(u.node(), u.index(), v, m);
      }
    }
    return new ChannelGroup(channels, producers, seen, edits, consumers);
  }

  // ---- producers ----

  private void addProducer(PrunableLayer l) {
    Node n = l.node();
    if (producers.contains(l)) {
      return;
    }
    if (l.n() != channels) {
      throw new Refusal("residual Add joins it with " + n.label() + ", which has " + l.n() + " output channels, not " + channels);
    }
    Value out = n.output(0);
    int axis;
    switch (n.opType()) {
      case "Conv" -> {
        long group = n.intAttr("group", 1);
        if (group != 1) {
          throw new Refusal(n.label() + " is a grouped Conv (group " + group + "): its output channels follow its input"
              + " channels, so they go with the layer feeding it");
        }
        axis = 1;
        edits.add(new ChannelGroup.Slice(n, 1, 0, ChannelMap.identity(0, channels)));
        if (n.inputs().size() > 2 && n.input(2) != null) {
          requireConstant(n, 2, "bias");
          edits.add(new ChannelGroup.Slice(n, 2, 0, ChannelMap.identity(0, channels)));
        }
      }
      case "Gemm" -> {
        axis = 1;
        edits.add(new ChannelGroup.Slice(n, 1, n.intAttr("transB", 0) != 0 ? 0 : 1, ChannelMap.identity(0, channels)));
        if (n.inputs().size() > 2 && n.input(2) != null) {
          requireConstant(n, 2, "C");
          long[] c = n.input(2).initializer().dims();
          // C broadcasts to [M, N]: only a last axis of size N is per channel
          if (c.length > 0 && c[c.length - 1] == channels && channels > 1) {
            edits.add(new ChannelGroup.Slice(n, 2, c.length - 1, ChannelMap.identity(0, channels)));
          }
        }
      }
      default -> { // MatMul
        axis = rank(out, n) - 1;
        edits.add(new ChannelGroup.Slice(n, 1, 1, ChannelMap.identity(0, channels)));
      }
    }
    producers.add(l);
    visited.add(n);
    mark(out, ChannelMap.identity(axis, channels), n);
  }

  // ---- forward ----

  private void visit(Node n, int index, Value v, ChannelMap m) {
    if (!n.isStandard()) {
      throw refuse(n, "is not a standard ONNX op");
    }
    String op = n.opType();
    if (UNARY.contains(op) || POOLS.contains(op) || op.equals("BatchNormalization") || op.equals("InstanceNormalization")
        || op.equals("Pad") || op.equals("Transpose")) {
      if (index != 0) {
        throw refuse(n, "reads the channels as input " + index);
      }
      onlyFirstOutputUsed(n);
    }
    if (UNARY.contains(op)) {
      pass(n, m);
    } else if (POOLS.contains(op)) {
      channelAxisOne(n, m);
      pass(n, m);
    } else if (op.equals("BatchNormalization") || op.equals("InstanceNormalization")) {
      channelAxisOne(n, m);
      if (visited.add(n)) {
        for (int i = 1; i < n.inputs().size(); i++) {
          requireConstant(n, i, "parameter");
          requireDim(n, i, 0, m.size());
          edits.add(new ChannelGroup.Slice(n, i, 0, m));
        }
      }
      mark(n.output(0), m, n);
    } else if (op.equals("Pad")) {
      pad(n, v, m);
    } else if (op.equals("Transpose")) {
      transpose(n, v, m);
    } else if (BINARY.contains(op)) {
      binary(n, index, v, m);
    } else if (op.equals("Conv")) {
      conv(n, index, m);
    } else if (op.equals("Gemm") || op.equals("MatMul")) {
      matmul(n, index, v, m);
    } else if (op.equals("Flatten") || op.equals("Reshape")) {
      flatten(n, index, v, m);
    } else if (op.equals("Concat")) {
      concat(n, m);
    } else {
      throw refuse(n, "reads the channels and is not understood by channel pruning");
    }
  }

  /** The output carries the channels where the input did. */
  private void pass(Node n, ChannelMap m) {
    visited.add(n);
    mark(n.output(0), m, n);
  }

  private void pad(Node n, Value v, ChannelMap m) {
    int r = rank(v, n);
    long[] pads;
    if (n.inputs().size() > 1) {
      if (n.inputs().size() > 3 && n.input(3) != null) {
        throw refuse(n, "has an axes input");
      }
      requireConstant(n, 1, "pads");
      pads = n.input(1).initializer().toLongArray();
    } else {
      pads = n.intsAttr("pads", new long[2 * r]);
    }
    if (pads.length != 2 * r || pads[m.axis()] != 0 || pads[m.axis() + r] != 0) {
      throw refuse(n, "pads the channel axis");
    }
    pass(n, m);
  }

  private void transpose(Node n, Value v, ChannelMap m) {
    int r = rank(v, n);
    long[] perm = n.intsAttr("perm", null);
    int axis = r - 1 - m.axis();
    if (perm != null) {
      axis = -1;
      for (int j = 0; j < perm.length; j++) {
        axis = perm[j] == m.axis() ? j : axis;
      }
    }
    visited.add(n);
    mark(n.output(0), m.withAxis(axis), n);
  }

  private void binary(Node n, int index, Value v, ChannelMap m) {
    if (n.inputs().size() != 2) {
      throw refuse(n, "does not have two inputs");
    }
    onlyFirstOutputUsed(n);
    int other = 1 - index;
    Value o = n.input(other);
    int outRank = Math.max(rank(v, n), o.isInitializer() ? o.initializer().rank() : rank(o, n));
    ChannelMap out = m.withAxis(m.axis() + outRank - rank(v, n));
    if (o.isInitializer() && !o.isGraphInput()) {
      if ((n.is("Pow") || n.is("PRelu")) && index != 0) {
        throw refuse(n, "reads the channels as input " + index);
      }
      if (visited.add(n)) {
        long[] c = o.initializer().dims();
        int constAxis = out.axis() - (outRank - c.length);
        if (constAxis >= 0 && c[constAxis] != 1) {
          if (c[constAxis] != m.size()) {
            throw refuse(n, "has a constant of shape " + Shape.format(c) + " that is not per channel of " + m.size());
          }
          edits.add(new ChannelGroup.Slice(n, other, constAxis, m));
        }
      }
      mark(n.output(0), out, n);
      return;
    }
    if (n.is("Pow") || n.is("PRelu")) {
      throw refuse(n, "combines the channels with the computed value '" + o.name() + "'");
    }
    // two computed values channel by channel (a residual Add, x·sigmoid(x), squeeze-and-excitation
    // gating): both operands' channels must go together, so the layers feeding the other one join the group
    ChannelMap known = seen.get(o);
    if (known == null) {
      if (!m.isIdentity(channels)) {
        throw refuse(n, "joins the channels with '" + o.name() + "' after they were regrouped");
      }
      backward(o, n, Collections.newSetFromMap(new IdentityHashMap<>()));
    } else if (!known.withAxis(0).equals(m.withAxis(0))) {
      throw refuse(n, "joins differently arranged channels");
    }
    visited.add(n);
    mark(n.output(0), out, n);
  }

  private void conv(Node n, int index, ChannelMap m) {
    if (index != 0) {
      throw refuse(n, "reads the channels as its " + (index == 1 ? "weight" : "bias"));
    }
    channelAxisOne(n, m);
    requireConstant(n, 1, "weight");
    long[] w = n.input(1).initializer().dims();
    long group = n.intAttr("group", 1);
    if (group == 1) {
      requireDim(n, 1, 1, m.size());
      if (visited.add(n)) {
        edits.add(new ChannelGroup.Slice(n, 1, 1, m));
        consumers.add(n);
      }
      return;
    }
    if (group != m.size() || w[1] != 1 || w[0] % group != 0) {
      throw refuse(n, "is a grouped Conv (group " + group + " over " + m.size() + " channels)");
    }
    // depthwise: output channel o reads input channel o / multiplier; it keeps following the channels
    int mult = (int) (w[0] / group);
    int[] out = new int[(int) w[0]];
    for (int o = 0; o < out.length; o++) {
      out[o] = m.map()[o / mult];
    }
    ChannelMap outMap = new ChannelMap(1, out, 1);
    if (visited.add(n)) {
      edits.add(new ChannelGroup.Slice(n, 1, 0, outMap));
      if (n.inputs().size() > 2 && n.input(2) != null) {
        requireConstant(n, 2, "bias");
        edits.add(new ChannelGroup.Slice(n, 2, 0, outMap));
      }
      edits.add(new ChannelGroup.Groups(n, m));
    }
    mark(n.output(0), outMap, n);
  }

  private void matmul(Node n, int index, Value v, ChannelMap m) {
    if (index != 0) {
      throw refuse(n, "reads the channels as input " + index + ", not as the rows it multiplies");
    }
    requireConstant(n, 1, "weight");
    long[] w = n.input(1).initializer().dims();
    if (w.length != 2) {
      throw refuse(n, "has a weight of rank " + w.length);
    }
    if (n.is("Gemm") && n.intAttr("transA", 0) != 0) {
      throw refuse(n, "has transA=1");
    }
    if (m.axis() != rank(v, n) - 1) {
      throw refuse(n, "multiplies over axis " + (rank(v, n) - 1) + ", not the channel axis " + m.axis());
    }
    int axis = n.is("Gemm") && n.intAttr("transB", 0) != 0 ? 1 : 0;
    requireDim(n, 1, axis, m.size());
    if (visited.add(n)) {
      edits.add(new ChannelGroup.Slice(n, 1, axis, m));
      consumers.add(n);
    }
  }

  /** Flatten(axis 1) or Reshape to [N, C·rest]: channel i becomes the block of rest positions it covers. */
  private void flatten(Node n, int index, Value v, ChannelMap m) {
    if (index != 0) {
      throw refuse(n, "reads the channels as its shape");
    }
    onlyFirstOutputUsed(n);
    long[] in = staticDims(v);
    if (in == null || m.axis() != 1) {
      throw refuse(n, "flattens '" + v.name() + "' of shape " + shapeText(v) + ": channels on axis 1 and static later axes needed");
    }
    long rest = 1;
    for (int i = 2; i < in.length; i++) {
      rest *= in[i];
    }
    long flat = m.size() * rest;
    ChannelMap out = new ChannelMap(1, m.map(), Math.toIntExact(m.block() * rest));
    if (n.is("Flatten")) {
      long axis = n.intAttr("axis", 1);
      if (axis != 1 && axis != 1 - in.length) {
        throw refuse(n, "flattens at axis " + axis + ", not between the batch and the channels");
      }
      visited.add(n);
      mark(n.output(0), out, n);
      return;
    }
    if (n.inputs().size() < 2 || !n.input(1).isInitializer() || n.input(1).isGraphInput()) {
      throw refuse(n, "has a computed target shape");
    }
    long[] t = n.input(1).initializer().toLongArray();
    boolean allowZero = n.intAttr("allowzero", 0) != 0;
    boolean batchKept = t.length == 2 && (t[0] == -1 || t[0] == 0 && !allowZero || t[0] == in[0]);
    if (batchKept && t[1] == flat) {
      if (visited.add(n)) {
        edits.add(new ChannelGroup.ReshapeTarget(n, out, out.block()));
      }
    } else if (!(batchKept && t[1] == -1 && t[0] != -1)) {
      throw refuse(n, "reshapes " + shapeText(v) + " to " + Shape.format(t) + ", which mixes the channels with other axes");
    }
    visited.add(n);
    mark(n.output(0), out, n);
  }

  /** Concat along the channel axis: the channels keep their offset among the other inputs' channels, which stay. */
  private void concat(Node n, ChannelMap m) {
    int r = rank(n.output(0), n);
    long axis = n.intAttr("axis", 0);
    axis = axis < 0 ? axis + r : axis;
    if (axis != m.axis() || m.block() != 1) {
      throw refuse(n, "concatenates along axis " + axis + ", not the channel axis " + m.axis());
    }
    List<Integer> map = new ArrayList<>();
    for (Value in : n.inputs()) {
      ChannelMap im = seen.get(in);
      if (im != null) {
        for (int e : im.map()) {
          map.add(e);
        }
      } else {
        long[] d = staticDims(in);
        if (d == null) {
          throw refuse(n, "concatenates '" + in.name() + "' of unknown size along the channel axis");
        }
        for (long i = 0; i < d[(int) axis]; i++) {
          map.add(-1);
        }
      }
    }
    ChannelMap out = new ChannelMap((int) axis, map.stream().mapToInt(Integer::intValue).toArray(), 1);
    ChannelMap before = seen.get(n.output(0));
    if (before != null && !before.equals(out)) {
      throw refuse(n, "receives the channels on more than one input");
    }
    visited.add(n);
    mark(n.output(0), out, n);
  }

  // ---- backward (residual Adds) ----

  /**
   * Finds the layers whose channels reach {@code v} unchanged, the other operand of {@code join} (a
   * residual Add or another elementwise op of two computed values), and adds them to the group.
   */
  private void backward(Value v, Node join, Set<Value> done) {
    if (!done.add(v) || seen.containsKey(v)) {
      return;
    }
    String joins = join.is("Add") ? "is a residual Add joining" : "joins";
    Node p = v.producer();
    if (p == null) {
      throw refuse(join, joins + " the channels with the graph input '" + v.name() + "'");
    }
    PrunableLayer l = layers.get(p);
    if (l != null && p.output(0) == v) {
      addProducer(l);
      return;
    }
    String op = p.opType();
    boolean constOperand = BINARY.contains(op) && p.inputs().size() == 2
        && (isConstant(p.input(0)) != isConstant(p.input(1)));
    if (p.isStandard() && (UNARY.contains(op) || POOLS.contains(op) || op.equals("BatchNormalization")
        || op.equals("InstanceNormalization") || op.equals("Pad"))) {
      backward(p.input(0), join, done);
    } else if (p.isStandard() && constOperand) {
      backward(isConstant(p.input(0)) ? p.input(1) : p.input(0), join, done);
    } else if (p.isStandard() && Set.of("Add", "Sub", "Mul", "Div").contains(op) && p.inputs().size() == 2) {
      backward(p.input(0), join, done);
      backward(p.input(1), join, done);
    } else {
      throw refuse(join, joins + " the channels with '" + v.name() + "' from " + p.label() + ", which cannot be pruned with them");
    }
  }

  // ---- helpers ----

  private void mark(Value out, ChannelMap m, Node n) {
    ChannelMap before = seen.get(out);
    if (before == null) {
      seen.put(out, m);
      todo.add(out);
    } else if (!before.equals(m)) {
      throw refuse(n, "receives the channels in two different arrangements");
    }
  }

  private static boolean isConstant(Value v) {
    return v != null && v.isInitializer() && !v.isGraphInput();
  }

  private void requireConstant(Node n, int input, String what) {
    if (n.inputs().size() <= input || !isConstant(n.input(input))) {
      throw refuse(n, "has a " + what + " (input " + input + ") that is not a constant");
    }
  }

  private void requireDim(Node n, int input, int axis, int size) {
    long[] d = n.input(input).initializer().dims();
    if (d.length <= axis || d[axis] != size) {
      throw refuse(n, "has input " + input + " of shape " + Shape.format(d) + ", expected " + size + " on axis " + axis);
    }
  }

  private void channelAxisOne(Node n, ChannelMap m) {
    if (m.axis() != 1 || m.block() != 1) {
      throw refuse(n, "expects channels on axis 1, they are on axis " + m.axis());
    }
  }

  private static void onlyFirstOutputUsed(Node n) {
    for (int i = 1; i < n.outputs().size(); i++) {
      Value o = n.output(i);
      if (o != null && (o.hasUses() || o.isGraphOutput())) {
        throw refuse(n, "has its output " + i + " used");
      }
    }
  }

  private Type.TensorType shape(Value v) {
    Type.TensorType t = shapes.get(v.name());
    return t != null ? t : v.tensorType();
  }

  private int rank(Value v, Node at) {
    Type.TensorType t = shape(v);
    if (t == null || !t.shape().hasRank()) {
      throw refuse(at, "reads '" + v.name() + "', whose rank is not known");
    }
    return t.shape().rank();
  }

  /** Dims from the batch axis on, with the batch allowed to be symbolic (reported as -1); null unless all others are numbers. */
  private long[] staticDims(Value v) {
    Type.TensorType t = shape(v);
    if (t == null || !t.shape().hasRank()) {
      return null;
    }
    long[] d = new long[t.shape().rank()];
    for (int i = 0; i < d.length; i++) {
      if (t.shape().dim(i).isFixed()) {
        d[i] = t.shape().dim(i).value();
      } else if (i == 0) {
        d[i] = -1;
      } else {
        return null;
      }
    }
    return d;
  }

  private String shapeText(Value v) {
    Type.TensorType t = shape(v);
    return t == null ? "(unknown)" : t.shape().toString();
  }

  private static Refusal refuse(Node n, String what) {
    return new Refusal(n.label() + " " + what);
  }
}
