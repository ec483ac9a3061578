package dev.whittle.runtime;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers element types and shapes (with symbolic dims) of every value without running the model,
 * and records them in the graph's value_info. Small computations on constants (shape arithmetic of
 * exported models) are evaluated with the runtime's kernels so that shapes flow through
 * Shape/Gather/Concat/Reshape chains.
 */
public final class ShapeInference {
  /** Constants up to this many elements are evaluated during inference. */
  private static final long FOLD_LIMIT = 4096;

  /** What inference did: values typed, nodes without an inferrer, conflicts with declarations. */
  public record Report(int inferred, List<String> notInferred, List<String> conflicts) {}

  private final OpRegistry registry;
  private final Map<String, Long> opsets;
  private final Map<Value, Tensor> constants = new IdentityHashMap<>();
  private final List<String> notInferred = new ArrayList<>();
  private final List<String> conflicts = new ArrayList<>();
  private int inferred;

  private ShapeInference(OpRegistry registry, Map<String, Long> opsets) {
    this.registry = registry;
    this.opsets = opsets;
  }

  public static Report infer(Model model) {
    return infer(model.graph(), model.opsetImports(), OpRegistry.standard());
  }

  public static Report infer(Graph graph, Map<String, Long> opsets, OpRegistry registry) {
    ShapeInference si = new ShapeInference(registry, opsets);
    si.graph(graph);
    return new Report(si.inferred, List.copyOf(si.notInferred), List.copyOf(si.conflicts));
  }

  private long opsetOf(String domain) {
    Long v = opsets.get(domain == null || domain.equals("ai.onnx") ? "" : domain);
    return v == null ? -1 : v;
  }

  private void graph(Graph g) {
    for (Value v : g.initializers()) {
      if (v.initializer().elementCount() <= FOLD_LIMIT) {
        constants.put(v, v.initializer());
      }
    }
    for (Node n : g.topologicalOrder()) {
      // Subgraphs first: control-flow ops infer their outputs from their bodies' outputs.
      for (Graph sg : n.subgraphs()) {
        graph(sg);
      }
      node(g, n);
    }
  }

  private void node(Graph g, Node n) {
    long opset = opsetOf(n.domain());
    OpRegistry.OpDef def = registry.find(n.domain(), n.opType(), opset);
    if (def == null || def.inferrer() == null) {
      notInferred.add(n.label());
      return;
    }
    List<Type> inTypes = new ArrayList<>();
    List<Tensor> inConsts = new ArrayList<>();
    boolean allConstant = true;
    for (Value v : n.inputs()) {
      inTypes.add(v == null ? null : v.type());
      Tensor c = v == null ? null : constants.get(v);
      inConsts.add(c);
      allConstant &= v == null || c != null;
    }
    InferenceContext ctx = new InferenceContext(n, opset, inTypes, inConsts);
    List<Type> outTypes;
    try {
      outTypes = def.inferrer().infer(ctx);
    } catch (RuntimeException e) {
      // Contradictory or unsupported input types: leave this node's outputs as they are.
      conflicts.add(n.label() + ": " + e.getMessage());
      return;
    }
    for (int i = 0; i < n.outputs().size(); i++) {
      Value out = n.output(i);
      if (out == null) {
        continue;
      }
      Type t = i < outTypes.size() ? outTypes.get(i) : null;
      if (t != null) {
        merge(g, out, t);
      }
      if (ctx.outputValue(i) != null) {
        constants.put(out, ctx.outputValue(i));
      }
    }
    if (allConstant && !n.outputs().isEmpty() && n.subgraphs().isEmpty() && isDeterministic(n)) {
      evaluate(n, def, opset);
    }
  }

  /** Runs a node whose inputs are all small constants, to propagate its values. */
  private void evaluate(Node n, OpRegistry.OpDef def, long opset) {
    try {
      Object[] in = new Object[n.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        in[i] = n.input(i) == null ? null : constants.get(n.input(i));
      }
      Kernel k = def.factory().create(new NodeContext(n, opset, new ExecutionPlan.Compiler(registry, opsets)));
      Object[] out = k.run(in, new RunContext(new Frame(null), null, null));
      for (int i = 0; i < n.outputs().size() && i < out.length; i++) {
        if (n.output(i) != null && out[i] instanceof Tensor t && t.elementCount() <= FOLD_LIMIT) {
          constants.put(n.output(i), t);
          merge(n.graph(), n.output(i), t.type());
        }
      }
    } catch (RuntimeException e) {
      // An op that fails on these constants will fail at run time too; inference just stops here.
    }
  }

  private static boolean isDeterministic(Node n) {
    return switch (n.opType()) {
      case "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout" -> false;
      default -> true;
    };
  }

  /** Combines an inferred type with what the value already declares; fixed dims win over symbols. */
  private void merge(Graph g, Value v, Type inferredType) {
    Type old = v.type();
    Type merged = inferredType;
    if (old instanceof Type.TensorType o && inferredType instanceof Type.TensorType t) {
      if (o.elementType() != t.elementType()) {
        conflicts.add("'" + v.name() + "': declared " + o + ", inferred " + t);
        return;
      }
      merged = new Type.TensorType(t.elementType(), mergeShapes(v, o.shape(), t.shape()), o.denotation());
    } else if (old != null && !(old instanceof Type.Unspecified)) {
      merged = old;
    }
    if (!merged.equals(old)) {
      v.setType(merged);
      inferred++;
    }
    if (v.graph() == g && !v.isGraphOutput() && !v.isGraphInput() && !v.isInitializer()) {
      g.addValueInfo(v);
    }
  }

  private Shape mergeShapes(Value v, Shape declared, Shape inferred) {
    if (!declared.hasRank()) {
      return inferred;
    }
    if (!inferred.hasRank()) {
      return declared;
    }
    if (declared.rank() != inferred.rank()) {
      conflicts.add("'" + v.name() + "': declared rank " + declared.rank() + ", inferred " + inferred);
      return declared;
    }
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < declared.rank(); i++) {
      Dim d = declared.dim(i);
      Dim t = inferred.dim(i);
      if (d.isFixed() && t.isFixed() && d.value() != t.value()) {
        conflicts.add("'" + v.name() + "': dim " + i + " declared " + d + ", inferred " + t);
      }
      dims.add(d.isFixed() ? d : t.isFixed() ? t : d.isSymbolic() ? d : t);
    }
    return Shape.of(dims);
  }
}
