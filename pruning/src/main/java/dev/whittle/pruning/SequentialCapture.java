package dev.whittle.pruning;

import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.passes.cleanup.GraphWalk;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer inputs of a model being pruned layer by layer, captured in execution order without running
 * the model from its inputs every time: each capture runs only the nodes no earlier capture ran,
 * fed with the values those earlier runs left that later nodes read (the residual stream, the
 * attention mask, ...). Layer-wise pruning of a transformer captures a couple of dozen inputs; run
 * from the start each time, that costs about half the model per capture, here the whole sequence
 * costs one pass.
 *
 * <p>Correct only while the nodes already run keep their weights, which holds when layers are
 * changed in execution order after their inputs are captured. That is checked: when an initializer
 * a run node reads has changed since, everything is forgotten and the capture starts from the
 * model's inputs again. Graphs with subgraphs (If, Loop) are always run from the start.
 */
final class SequentialCapture {
  private final List<Map<String, Tensor>> samples;
  /** Per sample: computed values that nodes not run yet still read. */
  private final List<Map<String, Tensor>> live = new ArrayList<>();
  /** Nodes run so far, by their first output's name, with the initializers they read then. */
  private final Map<String, Map<String, Tensor>> done = new HashMap<>();

  SequentialCapture(List<Map<String, Tensor>> samples) {
    this.samples = samples;
    samples.forEach(s -> live.add(new HashMap<>()));
  }

  /** Value {@code name} of {@code model} on every sample. */
  List<Tensor> capture(Model model, String name) {
    Graph g = model.graph();
    Value target = g.value(name);
    if (target == null || target.isGraphInput() || target.isInitializer() || target.producer() == null) {
      return LayerInputs.capture(model, name, samples);
    }
    if (g.nodes().stream().anyMatch(n -> !n.subgraphs().isEmpty())) {
      return LayerInputs.capture(model, name, samples);
    }
    if (samples.isEmpty()) {
      return List.of();
    }
    boolean computed = done.containsKey(key(target.producer()));
    if (!unchanged(g) || computed && !live.getFirst().containsKey(name)) {
      // weights of nodes already run changed, or a value asked again after its last reader ran: start over
      done.clear();
      live.forEach(Map::clear);
    } else if (computed) {
      return live.stream().map(m -> m.get(name)).toList();
    }
    List<Node> run = new ArrayList<>();
    Set<Node> needed = GraphWalk.producersOf(target);
    for (Node n : g.topologicalOrder()) {
      if (!done.containsKey(key(n)) && needed.contains(n)) {
        run.add(n);
      }
    }
    Set<Node> toRun = Collections.newSetFromMap(new IdentityHashMap<>());
    toRun.addAll(run);
    // what the segment reads from earlier runs, and what it leaves for nodes that have not run
    Set<String> fed = new LinkedHashSet<>();
    for (Node n : run) {
      for (Value v : n.inputs()) {
        if (v != null && v.producer() != null && !toRun.contains(v.producer())) {
          fed.add(v.name());
        }
      }
    }
    List<String> kept = new ArrayList<>(List.of(name));
    for (Node n : run) {
      for (Value out : n.outputs()) {
        if (out != null && !out.name().equals(name) && out.uses().stream().anyMatch(u -> !toRun.contains(u.node())
            && !done.containsKey(key(u.node())))) {
          kept.add(out.name());
        }
      }
    }
    Model segment = segment(model, toRun, fed, kept);
    try (Session s = Session.open(segment)) {
      for (int i = 0; i < samples.size(); i++) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : segment.graph().inputs()) {
          in.put(v.name(), fed.contains(v.name()) ? live.get(i).get(v.name()) : samples.get(i).get(v.name()));
        }
        Map<String, Tensor> out = s.run(in);
        for (String k : kept) {
          live.get(i).put(k, out.get(k));
        }
      }
    }
    for (Node n : run) {
      Map<String, Tensor> weights = new HashMap<>();
      for (Value v : n.inputs()) {
        if (v != null && v.isInitializer()) {
          weights.put(v.name(), v.initializer());
        }
      }
      done.put(key(n), weights);
    }
    // forget values every reader of which has run
    Set<String> stillRead = new HashSet<>();
    for (Node n : g.nodes()) {
      if (!done.containsKey(key(n))) {
        n.inputs().stream().filter(v -> v != null).forEach(v -> stillRead.add(v.name()));
      }
    }
    List<Tensor> result = live.stream().map(m -> m.get(name)).toList();
    live.forEach(m -> m.keySet().retainAll(stillRead));
    return result;
  }

  /** Whether every node already run still reads the initializers it read then. */
  private boolean unchanged(Graph g) {
    for (Node n : g.nodes()) {
      Map<String, Tensor> then = done.get(key(n));
      if (then == null) {
        continue;
      }
      for (Value v : n.inputs()) {
        if (v != null && v.isInitializer() && then.get(v.name()) != v.initializer()) {
          return false;
        }
      }
    }
    return true;
  }

  private static String key(Node n) {
    for (Value out : n.outputs()) {
      if (out != null) {
        return out.name();
      }
    }
    return "#" + System.identityHashCode(n);
  }

  /**
   * A copy of {@code model} holding only the nodes of {@code run} (by first output name): the
   * values in {@code fed} become graph inputs, the values in {@code kept} its outputs.
   */
  private static Model segment(Model model, Set<Node> run, Set<String> fed, List<String> kept) {
    Set<String> runKeys = new HashSet<>();
    run.forEach(n -> runKeys.add(key(n)));
    Model m = model.copy();
    Graph g = m.graph();
    int outputs = g.outputs().size();
    for (int i = 0; i < Math.max(outputs, kept.size()); i++) {
      Value v = g.value(kept.get(Math.min(i, kept.size() - 1)));
      if (i < outputs) {
        g.setOutput(i, i < kept.size() ? v : g.value(kept.getFirst()));
      } else {
        g.addOutput(v);
      }
    }
    Map<String, Value> inputs = new LinkedHashMap<>();
    for (String name : fed) {
      Value old = g.value(name);
      Value in = g.newValue(g.freshName(name + "_fed"), old.type());
      for (Value.Use u : List.copyOf(old.uses())) {
        if (runKeys.contains(key(u.node()))) {
          u.node().setInput(u.index(), in);
        }
      }
      inputs.put(name, in);
    }
    List<Node> order = g.topologicalOrder();
    for (int i = order.size() - 1; i >= 0; i--) {
      Node n = order.get(i);
      if (!runKeys.contains(key(n))) {
        g.removeNode(n);
      }
    }
    inputs.forEach((name, in) -> {
      in.rename(name);
      g.addInput(in);
    });
    return m;
  }
}
