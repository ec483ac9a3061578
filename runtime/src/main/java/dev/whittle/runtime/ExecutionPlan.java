package dev.whittle.runtime;

import dev.whittle.ir.Graph;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph prepared for execution: nodes in topological order, one kernel per node, and for each
 * step the values whose last use it is, so they can be dropped as soon as possible.
 */
final class ExecutionPlan {
  private record Step(Node node, Kernel kernel, Value[] inputs, Value[] outputs, Value[] release) {}

  private final Graph graph;
  private final List<Step> steps;
  /** The graph's sparse initializers, densified once (ONNX Runtime does the same when it loads a model). */
  private final Map<Value, Tensor> sparse;

  private ExecutionPlan(Graph graph, List<Step> steps, Map<Value, Tensor> sparse) {
    this.graph = graph;
    this.steps = steps;
    this.sparse = sparse;
  }

  Graph graph() {
    return graph;
  }

  /** Compiles graphs and subgraphs, collecting every op without an implementation. */
  static final class Compiler {
    private final OpRegistry registry;
    private final Map<String, Long> opsets;
    private final Map<String, dev.whittle.ir.Function> functions;
    /** Missing op (with opset) to the names of the nodes that use it. */
    private final Map<String, List<String>> unsupported = new java.util.LinkedHashMap<>();
    private final Map<Value, Tensor> densified = new IdentityHashMap<>();

    Compiler(OpRegistry registry, Map<String, Long> opsets) {
      this(registry, opsets, List.of());
    }

    /** @param functions the model-local functions calls may refer to */
    Compiler(OpRegistry registry, Map<String, Long> opsets, List<dev.whittle.ir.Function> functions) {
      this.registry = registry;
      this.opsets = opsets;
      this.functions = FunctionCall.index(functions);
    }

    long opsetOf(String domain) {
      Long v = opsets.get(domain == null ? "" : domain);
      if (v == null && (domain == null || domain.isEmpty() || domain.equals("ai.onnx"))) {
        v = opsets.getOrDefault("ai.onnx", opsets.get(""));
      }
      return v == null ? -1 : v;
    }

    /** Ops that have no implementation, one entry each: op, opset, how many nodes and the first names. */
    Set<String> unsupported() {
      Set<String> out = new LinkedHashSet<>();
      for (Map.Entry<String, List<String>> e : unsupported.entrySet()) {
        List<String> names = e.getValue();
        String shown = String.join(", ", names.subList(0, Math.min(3, names.size())).stream().map(n -> "'" + n + "'").toList());
        out.add(e.getKey() + " x" + names.size() + " (node " + shown + (names.size() > 3 ? ", ..." : "") + ")");
      }
      return out;
    }

    /** The dense form of a sparse initializer, computed once per compiler. */
    Tensor densified(Value v) {
      return densified.computeIfAbsent(v, k -> dev.whittle.runtime.ops.tensor.ShapeOps.densify(k.sparseInitializer()));
    }

    ExecutionPlan compile(Graph g) {
      Map<Value, Tensor> sparse = new java.util.LinkedHashMap<>();
      for (Value v : g.sparseInitializers()) {
        sparse.put(v, densified(v));
      }
      List<Node> order = g.topologicalOrder();
      Map<Value, Integer> lastUse = new IdentityHashMap<>();
      for (int i = 0; i < order.size(); i++) {
        for (Value v : g.dependencies(order.get(i))) {
          lastUse.put(v, i);
        }
      }
      List<List<Value>> releases = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        releases.add(new ArrayList<>());
      }
      for (Map.Entry<Value, Integer> e : lastUse.entrySet()) {
        Value v = e.getKey();
        // Only values this graph computes are dropped; graph outputs are kept for the caller.
        if (v.graph() == g && v.producer() != null && !g.outputs().contains(v)) {
          releases.get(e.getValue()).add(v);
        }
      }
      List<Step> steps = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        Node n = order.get(i);
        long opset = opsetOf(n.domain());
        OpRegistry.OpDef def = registry.find(n.domain(), n.opType(), opset);
        dev.whittle.ir.Function function = functions.get(FunctionCall.key(n.domain(), n.opType()));
        Kernel kernel = null;
        if (function != null) {
          kernel = FunctionCall.create(function, n, this);
        } else if (def == null) {
          String op = n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType();
          unsupported.computeIfAbsent(op + " (opset " + opset + ")", k -> new ArrayList<>()).add(n.name());
        } else {
          kernel = def.factory().create(new NodeContext(n, opset, this));
        }
        steps.add(new Step(n, kernel, n.inputs().toArray(Value[]::new), n.outputs().toArray(Value[]::new),
            releases.get(i).toArray(Value[]::new)));
      }
      return new ExecutionPlan(g, steps, sparse);
    }

    SubgraphPlan compileSubgraph(Graph g) {
      return new SubgraphPlan(compile(g));
    }
  }

  /**
   * Runs the plan: {@code inputs} feed the graph inputs in order (null = not fed: an initializer
   * default or an omitted optional input). Returns the graph outputs in order.
   */
  Object[] execute(Object[] inputs, Frame frame, RunContext ctx) {
    List<Value> graphInputs = graph.inputs();
    for (Value init : graph.initializers()) {
      frame.put(init, init.initializer());
    }
    sparse.forEach(frame::put);
    for (int i = 0; i < graphInputs.size() && i < inputs.length; i++) {
      if (inputs[i] != null) {
        frame.put(graphInputs.get(i), inputs[i]);
      }
    }
    RunOptions options = ctx.options();
    boolean top = options != null;
    for (Step step : steps) {
      Object[] in = new Object[step.inputs.length];
      for (int i = 0; i < in.length; i++) {
        Value v = step.inputs[i];
        if (v != null) {
          in[i] = frame.get(v);
          if (in[i] == null) {
            throw step.node.error("input '" + v.name() + "' has no value")
                .input(i).expected("a value computed before this node").build();
          }
        }
      }
      long start = top && options.profile() != null ? System.nanoTime() : 0;
      Object[] out = runStep(step, in, ctx);
      if (start != 0) {
        options.profile().add(step.node.opType(), System.nanoTime() - start);
      }
      for (int i = 0; i < step.outputs.length; i++) {
        Value v = step.outputs[i];
        if (v == null) {
          continue;
        }
        Object o = i < out.length ? out[i] : null;
        if (o != null) {
          frame.put(v, o);
          if (top && o instanceof Tensor t && options.isTapped(v.name())) {
            options.observer().accept(v.name(), t);
          }
        }
      }
      for (Value v : step.release) {
        frame.remove(v);
      }
    }
    Object[] results = new Object[graph.outputs().size()];
    for (int i = 0; i < results.length; i++) {
      Value v = graph.outputs().get(i);
      results[i] = frame.get(v);
      if (results[i] == null) {
        throw new WhittleException("graph '" + graph.name() + "' output '" + v.name() + "' was not computed");
      }
    }
    return results;
  }

  private static Object[] runStep(Step step, Object[] in, RunContext ctx) {
    try {
      return step.kernel.run(in, ctx);
    } catch (WhittleException e) {
      if (e.nodeName() != null) {
        throw e;
      }
      throw step.node.error(e.problem()).build(e);
    } catch (RuntimeException e) {
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw step.node.error("failed: " + what).build(e);
    }
  }
}
