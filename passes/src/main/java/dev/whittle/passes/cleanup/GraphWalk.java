package dev.whittle.passes.cleanup;

import dev.whittle.ir.Graph;
import dev.whittle.ir.Node;
import dev.whittle.ir.Value;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Visits a graph and, depth first, every subgraph below it; finds what a value depends on. */
public final class GraphWalk {
  private GraphWalk() {}

  public static void forEachGraph(Graph g, Consumer<Graph> action) {
    action.accept(g);
    for (Node n : List.copyOf(g.nodes())) {
      for (Graph sg : n.subgraphs()) {
        forEachGraph(sg, action);
      }
    }
  }

  /** The nodes {@code target} depends on through node inputs (its producer, their producers, ...). */
  public static Set<Node> producersOf(Value target) {
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Value> todo = new ArrayDeque<>(List.of(target));
    while (!todo.isEmpty()) {
      Node p = todo.pop().producer();
      if (p != null && seen.add(p)) {
        p.inputs().stream().filter(v -> v != null).forEach(todo::push);
      }
    }
    return seen;
  }
}
