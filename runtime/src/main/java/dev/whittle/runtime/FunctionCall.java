package dev.whittle.runtime;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Function;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Node;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls of model-local functions: each call site gets its own copy of the function body in which
 * attributes that refer to the function's attributes ({@code ref_attr_name}) take the caller's
 * values (or the function's defaults); the copy is compiled like a subgraph and run with the
 * call's inputs.
 */
final class FunctionCall {
  private FunctionCall() {}

  static String key(String domain, String name) {
    return (domain == null ? "" : domain) + "::" + name;
  }

  static Map<String, Function> index(List<Function> functions) {
    Map<String, Function> byName = new HashMap<>();
    for (Function f : functions) {
      byName.put(key(f.domain(), f.name()), f);
    }
    return byName;
  }

  /** A kernel running {@code f} for the call {@code call}, its body compiled by {@code compiler}. */
  static Kernel create(Function f, Node call, ExecutionPlan.Compiler compiler) {
    Map<String, Attribute> given = new LinkedHashMap<>();
    for (Attribute a : f.attributeDefaults()) {
      given.put(a.name(), a);
    }
    given.putAll(call.attributes());
    Graph body = f.body().copy();
    bind(body, given);
    SubgraphPlan plan = compiler.compileSubgraph(body);
    return (in, rc) -> rc.run(plan, in.length == plan.inputCount() ? in : java.util.Arrays.copyOf(in, plan.inputCount()));
  }

  /** Replaces reference attributes (here and in nested subgraphs) by the values they refer to. */
  private static void bind(Graph g, Map<String, Attribute> given) {
    for (Node n : g.nodes()) {
      for (Attribute a : List.copyOf(n.attributes().values())) {
        if (a.isReference()) {
          Attribute value = given.get(a.refAttrName());
          n.removeAttribute(a.name());
          if (value != null) {
            n.setAttribute(value.withName(a.name()));
          }
        }
      }
      for (Graph sg : n.subgraphs()) {
        bind(sg, given);
      }
    }
  }
}
