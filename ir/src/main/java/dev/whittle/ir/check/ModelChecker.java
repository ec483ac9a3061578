package dev.whittle.ir.check;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Function;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reports what is structurally wrong with a model, naming graphs, nodes and values: undefined
 * inputs, names defined again in a subgraph, cycles and unsorted nodes, missing opset imports,
 * initializer rules, references out of scope, and control-flow bodies whose arity does not match
 * their node. The reader already refuses a value defined twice within one graph.
 */
public final class ModelChecker {
  private final List<Problem> problems = new ArrayList<>();
  private final Model model;

  private ModelChecker(Model model) {
    this.model = model;
  }

  public static List<Problem> check(Model model) {
    ModelChecker c = new ModelChecker(model);
    c.checkModel();
    return List.copyOf(c.problems);
  }

  /** Throws one {@link WhittleException} listing every ERROR (the first 20). */
  public static void requireValid(Model model) {
    List<Problem> errors = check(model).stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    if (errors.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder("model is structurally invalid: ");
    for (int i = 0; i < Math.min(20, errors.size()); i++) {
      sb.append(i == 0 ? "" : "; ").append(errors.get(i));
    }
    if (errors.size() > 20) {
      sb.append("; and ").append(errors.size() - 20).append(" more");
    }
    WhittleException e = new WhittleException(sb.toString());
    throw model.source() == null ? e : e.inFile(model.source());
  }

  private void error(String code, String graph, Node node, String message) {
    problems.add(new Problem(Problem.Severity.ERROR, code, graph, node == null ? null : node.label(), message));
  }

  private void warning(String code, String graph, Node node, String message) {
    problems.add(new Problem(Problem.Severity.WARNING, code, graph, node == null ? null : node.label(), message));
  }

  private void checkModel() {
    if (model.irVersion() < 1) {
      error("missing-ir-version", "model", null, "ir_version is not set");
    }
    if (model.irVersion() >= 3 && model.defaultOpset() < 0 && model.opsetImports().isEmpty()) {
      error("missing-opset-import", "model", null, "the model imports no opset");
    }
    Set<String> functionKeys = new HashSet<>();
    Set<String> functionDomains = new HashSet<>();
    for (Function f : model.functions()) {
      String key = f.domain() + "::" + f.name() + (f.overload() == null ? "" : "::" + f.overload());
      if (!functionKeys.add(key)) {
        error("duplicate-function", "model", null, "function " + key + " is defined twice");
      }
      functionDomains.add(f.domain());
    }
    graph(model.graph(), "main", model.opsetImports(), functionDomains, new IdentityHashMap<>());
    for (Function f : model.functions()) {
      Map<String, Long> opsets = new java.util.LinkedHashMap<>(model.opsetImports());
      opsets.putAll(f.opsetImports());
      graph(f.body(), "function " + f.domain() + "::" + f.name(), opsets, functionDomains, new IdentityHashMap<>());
    }
  }

  /**
   * @param outer values visible from enclosing graphs (identity set), for shadowing and scope checks
   */
  private void graph(Graph g, String path, Map<String, Long> opsets, Set<String> functionDomains, Map<Value, Boolean> outer) {
    boolean main = path.equals("main");
    // Names a subgraph defines again (ONNX forbids shadowing outer names).
    Set<String> outerNames = new HashSet<>();
    for (Value v : outer.keySet()) {
      outerNames.add(v.name());
    }
    for (Value v : g.values()) {
      if (v.isDefined() && outerNames.contains(v.name())) {
        error("shadowed-name", path, v.producer(), "value '" + v.name() + "' is defined again here; an enclosing graph defines it already");
      }
    }
    if (main) {
      for (Value v : g.inputs()) {
        if (v.type() == null) {
          warning("untyped-input", path, null, "graph input '" + v.name() + "' has no type");
        }
      }
      if (model.irVersion() > 0 && model.irVersion() < 4) {
        for (Value v : g.initializers()) {
          if (!v.isGraphInput()) {
            error("initializer-not-input", path, null, "initializer '" + v.name() + "' is not a graph input, which IR version "
                + model.irVersion() + " requires (initializers became independent of inputs in IR version 4)");
          }
        }
      }
    }
    for (Value v : g.initializers()) {
      if (v.type() instanceof Type.TensorType t && !matches(t, v.initializer())) {
        error("initializer-type-mismatch", path, null, "initializer '" + v.name() + "' holds " + describe(v.initializer())
            + " but is declared " + t);
      }
      if (v.sparseInitializer() != null) {
        error("duplicate-initializer", path, null, "'" + v.name() + "' is both a dense and a sparse initializer");
      }
    }
    if (g.outputs().isEmpty() && main) {
      error("missing-graph-output", path, null, "the graph has no outputs");
    }
    for (Value v : g.outputs()) {
      if (!v.isDefined()) {
        error("undefined-output", path, null, "graph output '" + v.name() + "' is not computed by any node, input or initializer");
      }
    }
    checkOrder(g, path);
    Map<Value, Boolean> visible = new IdentityHashMap<>(outer);
    for (Value v : g.values()) {
      visible.put(v, Boolean.TRUE);
    }
    for (Node n : g.nodes()) {
      node(g, n, path, opsets, functionDomains, visible);
    }
  }

  private void checkOrder(Graph g, String path) {
    try {
      List<Node> order = g.topologicalOrder();
      if (!order.equals(g.nodes())) {
        warning("unsorted-nodes", path, null, "nodes are not in topological order (ONNX requires it; writing with Whittle sorts them)");
      }
    } catch (WhittleException e) {
      error("cycle", path, null, e.getMessage());
    }
  }

  private void node(Graph g, Node n, String path, Map<String, Long> opsets, Set<String> functionDomains, Map<Value, Boolean> visible) {
    if (n.opType().isEmpty()) {
      error("empty-op-type", path, n, "node has no op type");
    }
    String domain = n.domain().equals("ai.onnx") ? "" : n.domain();
    boolean imported = opsets.containsKey(domain) || (domain.isEmpty() && opsets.containsKey("ai.onnx"));
    if (!imported && !functionDomains.contains(n.domain())) {
      error("missing-opset-import", path, n, "domain '" + (domain.isEmpty() ? "ai.onnx" : domain) + "' is not imported by the model");
    }
    for (int i = 0; i < n.inputs().size(); i++) {
      Value v = n.input(i);
      if (v == null) {
        continue;
      }
      if (!v.isDefined()) {
        error("undefined-input", path, n, "input " + i + " '" + v.name() + "' is not defined by any node, graph input or initializer");
      } else if (!visible.containsKey(v)) {
        error("out-of-scope-reference", path, n, "input " + i + " '" + v.name() + "' belongs to graph '" + v.graph().name()
            + "', which is not this graph or an enclosing one");
      }
    }
    checkControlFlow(n, path);
    for (Attribute a : n.attributes().values()) {
      List<Graph> subs = a.subgraphs();
      for (int i = 0; i < subs.size(); i++) {
        String subPath = path + "/" + (n.name().isEmpty() ? n.opType() : n.name()) + "." + a.name() + (subs.size() > 1 ? "[" + i + "]" : "");
        graph(subs.get(i), subPath, opsets, functionDomains, visible);
      }
    }
  }

  private void checkControlFlow(Node n, String path) {
    if (!n.isStandard()) {
      return;
    }
    switch (n.opType()) {
      case "If" -> {
        Attribute then = n.attribute("then_branch");
        Attribute otherwise = n.attribute("else_branch");
        if (then == null || otherwise == null) {
          error("missing-subgraph", path, n, "If needs both then_branch and else_branch");
          return;
        }
        int outs = n.outputs().size();
        if (then.value() != null && then.g().outputs().size() != outs) {
          error("subgraph-arity", path, n, "then_branch has " + then.g().outputs().size() + " outputs; the node has " + outs);
        }
        if (otherwise.value() != null && otherwise.g().outputs().size() != outs) {
          error("subgraph-arity", path, n, "else_branch has " + otherwise.g().outputs().size() + " outputs; the node has " + outs);
        }
      }
      case "Loop" -> {
        Attribute body = n.attribute("body");
        if (body == null || body.value() == null) {
          error("missing-subgraph", path, n, "Loop needs a body");
          return;
        }
        int carried = Math.max(0, n.inputs().size() - 2);
        Graph b = body.g();
        if (b.inputs().size() != 2 + carried) {
          error("subgraph-arity", path, n, "Loop body has " + b.inputs().size() + " inputs; expected 2 + " + carried + " loop-carried");
        }
        if (b.outputs().size() < 1 + carried || n.outputs().size() > b.outputs().size() - 1) {
          error("subgraph-arity", path, n, "Loop body has " + b.outputs().size() + " outputs; expected 1 + " + carried
              + " loop-carried + scan outputs, matching the node's " + n.outputs().size() + " outputs");
        }
      }
      case "Scan" -> {
        Attribute body = n.attribute("body");
        if (body == null || body.value() == null) {
          error("missing-subgraph", path, n, "Scan needs a body");
        }
      }
      default -> { }
    }
  }

  private static boolean matches(Type.TensorType t, Tensor tensor) {
    if (t.elementType() != tensor.dtype()) {
      return false;
    }
    if (!t.shape().hasRank()) {
      return true;
    }
    if (t.shape().rank() != tensor.rank()) {
      return false;
    }
    for (int i = 0; i < tensor.rank(); i++) {
      if (t.shape().dim(i).isFixed() && t.shape().dim(i).value() != tensor.dim(i)) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Tensor t) {
    return t.type().toString();
  }
}
