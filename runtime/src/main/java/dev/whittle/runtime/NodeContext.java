package dev.whittle.runtime;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.List;

/**
 * What an {@link OpFactory} sees of the node it prepares: the node, the opset version in force for
 * its domain, attribute accessors with defaults, and compilation of its subgraphs.
 */
public final class NodeContext {
  private final Node node;
  private final long opset;
  private final ExecutionPlan.Compiler compiler;

  NodeContext(Node node, long opset, ExecutionPlan.Compiler compiler) {
    this.node = node;
    this.opset = opset;
    this.compiler = compiler;
  }

  public Node node() {
    return node;
  }

  /** The imported version of the node's domain (e.g. 13 for a model importing ai.onnx 13). */
  public long opset() {
    return opset;
  }

  public int inputCount() {
    return node.inputs().size();
  }

  public int outputCount() {
    return node.outputs().size();
  }

  /** True when input {@code i} is given (not omitted). */
  public boolean hasInput(int i) {
    return node.input(i) != null;
  }

  /** True when output {@code i} exists and is named. */
  public boolean hasOutput(int i) {
    return node.output(i) != null;
  }

  /** The initializer (dense, or sparse densified) behind input {@code i}, if that input is a constant of this graph, else null. */
  public Tensor constantInput(int i) {
    Value v = node.input(i);
    if (v == null) {
      return null;
    }
    return v.initializer() == null && v.sparseInitializer() != null ? compiler.densified(v) : v.initializer();
  }

  /** The declared or inferred type of input {@code i}, or null. */
  public Type inputType(int i) {
    Value v = node.input(i);
    return v == null ? null : v.type();
  }

  public boolean hasAttr(String name) {
    return node.hasAttribute(name);
  }

  public Attribute attr(String name) {
    return node.attribute(name);
  }

  public long attrInt(String name, long defaultValue) {
    return node.intAttr(name, defaultValue);
  }

  public float attrFloat(String name, float defaultValue) {
    return node.floatAttr(name, defaultValue);
  }

  public String attrString(String name, String defaultValue) {
    return node.stringAttr(name, defaultValue);
  }

  public long[] attrInts(String name, long[] defaultValue) {
    return node.intsAttr(name, defaultValue);
  }

  public float[] attrFloats(String name, float[] defaultValue) {
    Attribute a = node.attribute(name);
    return a == null ? defaultValue : a.floats();
  }

  public List<String> attrStrings(String name, List<String> defaultValue) {
    Attribute a = node.attribute(name);
    return a == null ? defaultValue : a.strings();
  }

  public Tensor attrTensor(String name) {
    Attribute a = node.attribute(name);
    return a == null ? null : a.t();
  }

  /** A required attribute; a clear error naming the node when it is missing. */
  public Attribute requireAttr(String name) {
    Attribute a = node.attribute(name);
    if (a == null) {
      throw error("missing required attribute '" + name + "'").build();
    }
    return a;
  }

  /** Compiles the subgraph held by attribute {@code name} (If branches, Loop and Scan bodies). */
  public SubgraphPlan subgraph(String name) {
    Graph g = requireAttr(name).g();
    return compiler.compileSubgraph(g);
  }

  /** A {@link WhittleException} builder naming this node, its op and opset. */
  public WhittleException.Builder error(String problem) {
    return node.error(problem).opset(opset);
  }
}
