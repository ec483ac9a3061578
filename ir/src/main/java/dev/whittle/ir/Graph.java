package dev.whittle.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A computation graph (ONNX {@code GraphProto}): inputs, outputs, initializers, value_info and
 * nodes. A subgraph (If branch, Loop or Scan body) knows the node that holds it and may use values
 * of enclosing graphs by reference.
 *
 * <p>Value names are unique within a graph; {@link #resolve(String)} looks a name up through the
 * enclosing scopes.
 */
public final class Graph extends Annotated {
  /** ONNX {@code TensorAnnotation}: quantization parameters named for one tensor. */
  public record TensorAnnotation(String tensorName, Map<String, String> quantParameterTensorNames) {
    public TensorAnnotation {
      quantParameterTensorNames = Collections.unmodifiableMap(new LinkedHashMap<>(quantParameterTensorNames));
    }
  }

  private String name;
  private final Map<String, Value> values = new LinkedHashMap<>();
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();
  private final List<Value> initializers = new ArrayList<>();
  private final List<Value> sparseInitializers = new ArrayList<>();
  private final List<Value> valueInfo = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<TensorAnnotation> quantizationAnnotations = new ArrayList<>();
  Node parentNode;

  public Graph(String name) {
    this.name = name == null ? "" : name;
  }

  /**
   * A new subgraph of {@code owner} (an If branch, a Loop or Scan body). It can resolve names of
   * the owner's graph while it is being built, before it is set as one of the owner's attributes.
   */
  public static Graph subgraphOf(Node owner, String name) {
    Graph g = new Graph(name);
    g.parentNode = owner;
    return g;
  }

  // ---- identity and metadata ----

  public String name() {
    return name;
  }

  public void setName(String name) {
    this.name = name == null ? "" : name;
  }

  public List<TensorAnnotation> quantizationAnnotations() {
    return quantizationAnnotations;
  }

  /** The node whose attribute holds this graph, or null for a top-level graph. */
  public Node parentNode() {
    return parentNode;
  }

  /** The enclosing graph, or null for a top-level graph. */
  public Graph parentGraph() {
    return parentNode == null ? null : parentNode.graph();
  }

  // ---- values ----

  /** All values defined in (or referenced but undefined in) this graph, in creation order. */
  public List<Value> values() {
    return List.copyOf(values.values());
  }

  /** The value with this name in this graph (not enclosing ones), or null. */
  public Value value(String valueName) {
    return values.get(valueName);
  }

  /** The value with this name here or in an enclosing graph, or null. */
  public Value resolve(String valueName) {
    for (Graph g = this; g != null; g = g.parentGraph()) {
      Value v = g.values.get(valueName);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Creates a value; the name must be new in this graph. */
  public Value newValue(String valueName, Type type) {
    if (values.containsKey(valueName)) {
      throw new WhittleException("value '" + valueName + "' already exists in graph '" + name + "'");
    }
    Value v = new Value(this, valueName, type);
    values.put(valueName, v);
    return v;
  }

  public Value newValue(String valueName) {
    return newValue(valueName, null);
  }

  /** A name starting with {@code base} that no value in this graph or its enclosing graphs uses yet. */
  public String freshName(String base) {
    if (resolve(base) == null) {
      return base;
    }
    for (int i = 1; ; i++) {
      String candidate = base + "_" + i;
      if (resolve(candidate) == null) {
        return candidate;
      }
    }
  }

  void renameValue(Value v, String newName) {
    if (values.containsKey(newName)) {
      throw new WhittleException("cannot rename '" + v.name() + "': value '" + newName + "' already exists in graph '" + name + "'");
    }
    values.remove(v.name());
    values.put(newName, v);
  }

  /** Forgets a value that nothing produces, uses or lists any more. */
  public void removeValue(Value v) {
    if (v.hasUses() || v.producer() != null || inputs.contains(v) || outputs.contains(v) || v.isInitializer()) {
      throw new WhittleException("value '" + v.name() + "' is still in use and cannot be removed");
    }
    values.remove(v.name());
    valueInfo.remove(v);
    sparseInitializers.remove(v);
  }

  // ---- inputs, outputs, initializers, value_info ----

  public List<Value> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public void addInput(Value v) {
    requireOwn(v);
    inputs.add(v);
  }

  public void removeInput(Value v) {
    inputs.remove(v);
  }

  public List<Value> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** Appends a graph output; a subgraph may output a value of an enclosing graph. */
  public void addOutput(Value v) {
    outputs.add(v);
  }

  public void setOutput(int i, Value v) {
    outputs.set(i, v);
  }

  /**
   * Replaces {@code old} among the outputs of this graph and of every subgraph nested in it: a
   * subgraph may return a value of an enclosing graph directly (an If branch returning {@code %x}).
   */
  void replaceOutput(Value old, Value replacement) {
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i) == old) {
        outputs.set(i, replacement);
      }
    }
    for (Node n : nodes) {
      for (Graph sg : n.subgraphs()) {
        sg.replaceOutput(old, replacement);
      }
    }
  }

  /** Whether a subgraph nested in this graph (at any depth) returns {@code v} directly as an output. */
  public boolean returnedByNestedSubgraph(Value v) {
    for (Node n : nodes) {
      for (Graph sg : n.subgraphs()) {
        if (sg.outputs.contains(v) || sg.returnedByNestedSubgraph(v)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Values that are initializers, in file order. */
  public List<Value> initializers() {
    return Collections.unmodifiableList(initializers);
  }

  /** Makes {@code v} an initializer holding {@code t} (replacing any previous tensor). */
  public void setInitializer(Value v, Tensor t) {
    requireOwn(v);
    if (v.producer() != null) {
      throw new WhittleException("value '" + v.name() + "' is produced by node " + v.producer().label() + " and cannot be an initializer");
    }
    if (v.initializer == null) {
      initializers.add(v);
    }
    // an initializer is named by its value, so the tensor carries that name too (as one read from a file does)
    v.initializer = v.name().equals(t.name()) ? t : t.withName(v.name());
    if (v.type() == null) {
      v.setType(t.type());
    }
  }

  /** Creates a new initializer value named {@code base} (or a fresh variant). */
  public Value addInitializer(String base, Tensor t) {
    Value v = newValue(freshName(base), t.type());
    setInitializer(v, t);
    return v;
  }

  public void removeInitializer(Value v) {
    if (initializers.remove(v)) {
      v.initializer = null;
    }
  }

  public List<Value> sparseInitializers() {
    return Collections.unmodifiableList(sparseInitializers);
  }

  public void removeSparseInitializer(Value v) {
    if (sparseInitializers.remove(v)) {
      v.sparseInitializer = null;
    }
  }

  public void setSparseInitializer(Value v, SparseTensor t) {
    requireOwn(v);
    if (v.sparseInitializer == null) {
      sparseInitializers.add(v);
    }
    v.sparseInitializer = t;
    if (v.type() == null) {
      v.setType(Type.tensor(t.values().dtype(), t.dims()));
    }
  }

  /** Values listed in value_info (intermediate values with recorded type information). */
  public List<Value> valueInfo() {
    return Collections.unmodifiableList(valueInfo);
  }

  public void addValueInfo(Value v) {
    if (!valueInfo.contains(v)) {
      valueInfo.add(v);
    }
  }

  public void removeValueInfo(Value v) {
    valueInfo.remove(v);
  }

  private void requireOwn(Value v) {
    if (v.graph() != this) {
      throw new WhittleException("value '" + v.name() + "' belongs to graph '" + v.graph().name() + "', not '" + name + "'");
    }
  }

  // ---- nodes ----

  /** Nodes in their current order (as in the file unless a pass reordered them). */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public int nodeCount() {
    return nodes.size();
  }

  /** Number of nodes here and in all nested subgraphs. */
  public int nodeCountWithSubgraphs() {
    int n = nodes.size();
    for (Node node : nodes) {
      for (Graph g : node.subgraphs()) {
        n += g.nodeCountWithSubgraphs();
      }
    }
    return n;
  }

  /** Appends a node. */
  public Node addNode(Node node) {
    attach(node);
    nodes.add(node);
    return node;
  }

  /** Inserts a node right before {@code anchor}. */
  public Node insertBefore(Node anchor, Node node) {
    int i = nodes.indexOf(anchor);
    if (i < 0) {
      throw new WhittleException("node " + anchor.label() + " is not in graph '" + name + "'");
    }
    attach(node);
    nodes.add(i, node);
    return node;
  }

  private void attach(Node node) {
    if (node.graph != null && node.graph != this) {
      throw new WhittleException("node " + node.label() + " already belongs to graph '" + node.graph.name() + "'");
    }
    node.graph = this;
  }

  /**
   * Removes a node whose outputs nobody uses any more; its outputs are forgotten and its inputs
   * lose this use.
   */
  public void removeNode(Node node) {
    for (Value out : node.outputs()) {
      if (out != null && out.isUsed()) {
        throw node.error("cannot remove node: its output '" + out.name() + "' is still used").build();
      }
    }
    if (!nodes.remove(node)) {
      throw new WhittleException("node " + node.label() + " is not in graph '" + name + "'");
    }
    node.dropInputUses();
    for (Value out : node.outputs()) {
      if (out != null) {
        out.producer = null;
        values.remove(out.name());
        valueInfo.remove(out);
      }
    }
    node.graph = null;
  }

  /**
   * Nodes ordered so that every node comes after the producers of its inputs, including values
   * its subgraphs use from this graph. Stable: keeps the current order where dependencies allow.
   *
   * @throws WhittleException naming the nodes on a cycle
   */
  public List<Node> topologicalOrder() {
    Map<Node, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i), i);
    }
    Map<Node, List<Node>> dependents = new IdentityHashMap<>();
    int[] pending = new int[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      Set<Node> deps = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Value v : dependencies(n)) {
        Node p = localProducer(v);
        if (p != null && index.containsKey(p)) {
          deps.add(p);
        }
      }
      pending[i] = deps.size();
      for (Node p : deps) {
        dependents.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
      }
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < pending.length; i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<Node> order = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      Node n = nodes.get(ready.poll());
      order.add(n);
      for (Node d : dependents.getOrDefault(n, List.of())) {
        int di = index.get(d);
        if (--pending[di] == 0) {
          ready.add(di);
        }
      }
    }
    if (order.size() != nodes.size()) {
      List<String> stuck = new ArrayList<>();
      for (int i = 0; i < pending.length && stuck.size() < 10; i++) {
        if (pending[i] > 0) {
          stuck.add(nodes.get(i).label());
        }
      }
      throw new WhittleException("graph '" + name + "' has a cycle through nodes " + String.join(", ", stuck));
    }
    return order;
  }

  /** Reorders the node list topologically (see {@link #topologicalOrder()}). */
  public void sortTopologically() {
    List<Node> order = topologicalOrder();
    nodes.clear();
    nodes.addAll(order);
  }

  /** The node of this graph that (directly or through a subgraph holder) produces {@code v}. */
  private Node localProducer(Value v) {
    return v.graph() == this ? v.producer() : null;
  }

  /** Inputs of a node plus the values of this graph its subgraphs read (implicit inputs). */
  public List<Value> dependencies(Node n) {
    List<Value> deps = new ArrayList<>();
    for (Value v : n.inputs()) {
      if (v != null) {
        deps.add(v);
      }
    }
    deps.addAll(outerReferences(n));
    return deps;
  }

  /** Values from outside the node's subgraphs that nodes (or outputs) of those subgraphs use. */
  public static List<Value> outerReferences(Node n) {
    List<Value> refs = new ArrayList<>();
    Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Graph> todo = new ArrayDeque<>(n.subgraphs());
    Set<Graph> inside = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!todo.isEmpty()) {
      Graph g = todo.pop();
      inside.add(g);
      for (Node inner : g.nodes) {
        todo.addAll(inner.subgraphs());
      }
    }
    for (Graph g : inside) {
      List<Value> used = new ArrayList<>(g.outputs);
      for (Node inner : g.nodes) {
        used.addAll(inner.inputs());
      }
      for (Value v : used) {
        if (v != null && !inside.contains(v.graph()) && seen.add(v)) {
          refs.add(v);
        }
      }
    }
    return refs;
  }

  // ---- copying ----

  /**
   * A deep copy: new nodes, values and subgraphs; tensors (immutable) are shared, so weight data
   * is not duplicated. References to enclosing graphs stay pointed at the original outer values.
   */
  public Graph copy() {
    return copyWith(new IdentityHashMap<>());
  }

  Graph copyWith(Map<Value, Value> mapping) {
    Graph g = new Graph(name);
    g.copyAnnotationsFrom(this);
    for (Value v : values.values()) {
      Value c = g.newValue(v.name(), v.type());
      c.copyAnnotationsFrom(v);
      mapping.put(v, c);
    }
    for (Value v : inputs) {
      g.inputs.add(mapping.get(v));
    }
    for (Value v : initializers) {
      g.setInitializer(mapping.get(v), v.initializer());
    }
    for (Value v : sparseInitializers) {
      g.setSparseInitializer(mapping.get(v), v.sparseInitializer());
    }
    for (Value v : valueInfo) {
      g.valueInfo.add(mapping.get(v));
    }
    for (Node n : nodes) {
      Node c = new Node(n.opType(), n.domain(), n.name());
      c.setOverload(n.overload());
      c.copyAnnotationsFrom(n);
      for (Value in : n.inputs()) {
        c.addInput(in == null ? null : mapping.getOrDefault(in, in));
      }
      for (Value out : n.outputs()) {
        c.addOutput(out == null ? null : mapping.get(out));
      }
      for (Attribute a : n.attributes().values()) {
        c.setAttribute(copyAttribute(a, mapping));
      }
      g.addNode(c);
    }
    for (Value v : outputs) {
      g.outputs.add(mapping.getOrDefault(v, v));
    }
    g.quantizationAnnotations.addAll(quantizationAnnotations);
    return g;
  }

  private static Attribute copyAttribute(Attribute a, Map<Value, Value> mapping) {
    return switch (a.kind()) {
      case GRAPH -> a.value() == null ? a
          : Attribute.of(a.name(), a.kind(), a.g().copyWith(mapping), a.refAttrName(), a.docString(), a.unknownFields());
      case GRAPHS -> {
        if (a.value() == null) {
          yield a;
        }
        List<Graph> copies = new ArrayList<>();
        for (Graph sg : a.graphs()) {
          copies.add(sg.copyWith(mapping));
        }
        yield Attribute.of(a.name(), a.kind(), List.copyOf(copies), a.refAttrName(), a.docString(), a.unknownFields());
      }
      default -> a;
    };
  }

  @Override
  public String toString() {
    return "Graph '" + name + "' (" + nodes.size() + " nodes)";
  }
}
