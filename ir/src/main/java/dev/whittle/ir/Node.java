package dev.whittle.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An operator application (ONNX {@code NodeProto}). Inputs and outputs are {@link Value}s; an
 * omitted optional input or output (the empty name in ONNX) is a null entry. Changing inputs
 * through this class keeps the values' use lists right.
 */
public final class Node extends Annotated {
  /** The ONNX default domain as it appears in files. */
  public static final String DEFAULT_DOMAIN = "";

  private String name;
  private final String opType;
  private final String domain;
  private String overload;
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();
  private final Map<String, Attribute> attributes = new LinkedHashMap<>();
  Graph graph;

  public Node(String opType, String domain, String name) {
    this.opType = Objects.requireNonNull(opType);
    this.domain = domain == null ? DEFAULT_DOMAIN : domain;
    this.name = name == null ? "" : name;
  }

  public Node(String opType) {
    this(opType, DEFAULT_DOMAIN, "");
  }

  public String name() {
    return name;
  }

  public void setName(String name) {
    this.name = name == null ? "" : name;
  }

  public String opType() {
    return opType;
  }

  /** The operator domain; "" (also spelled "ai.onnx") is the standard domain. */
  public String domain() {
    return domain;
  }

  public boolean isStandard() {
    return domain.isEmpty() || domain.equals("ai.onnx");
  }

  public boolean is(String op) {
    return isStandard() && opType.equals(op);
  }

  public String overload() {
    return overload;
  }

  public void setOverload(String overload) {
    this.overload = overload;
  }

  /** The graph this node belongs to, or null while detached. */
  public Graph graph() {
    return graph;
  }

  public List<Value> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public List<Value> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** Input {@code i}, or null when it is omitted or past the end. */
  public Value input(int i) {
    return i < inputs.size() ? inputs.get(i) : null;
  }

  public Value output(int i) {
    return i < outputs.size() ? outputs.get(i) : null;
  }

  public void addInput(Value v) {
    inputs.add(v);
    if (v != null) {
      v.uses.add(new Value.Use(this, inputs.size() - 1));
    }
  }

  public void setInput(int i, Value v) {
    while (inputs.size() <= i) {
      inputs.add(null);
    }
    Value old = inputs.get(i);
    if (old == v) {
      return;
    }
    if (old != null) {
      old.uses.remove(new Value.Use(this, i));
    }
    inputs.set(i, v);
    if (v != null) {
      v.uses.add(new Value.Use(this, i));
    }
  }

  /** Removes trailing inputs from index {@code size} on. */
  public void truncateInputs(int size) {
    for (int i = inputs.size() - 1; i >= size; i--) {
      setInput(i, null);
      inputs.remove(i);
    }
  }

  /** Appends an output; the value must not have another producer. */
  public void addOutput(Value v) {
    if (v != null) {
      if (v.producer != null && v.producer != this) {
        throw new WhittleException("value '" + v.name() + "' is already produced by node '" + v.producer.name() + "'");
      }
      v.producer = this;
    }
    outputs.add(v);
  }

  /** Replaces output {@code i}; the old value loses its producer. */
  public void setOutput(int i, Value v) {
    Value old = outputs.get(i);
    if (old != null && old.producer == this) {
      old.producer = null;
    }
    if (v != null) {
      v.producer = this;
    }
    outputs.set(i, v);
  }

  public Map<String, Attribute> attributes() {
    return Collections.unmodifiableMap(attributes);
  }

  public Attribute attribute(String attrName) {
    return attributes.get(attrName);
  }

  public boolean hasAttribute(String attrName) {
    return attributes.containsKey(attrName);
  }

  /** Adds or replaces an attribute; subgraphs it holds become owned by this node. */
  public void setAttribute(Attribute a) {
    attributes.put(a.name(), a);
    for (Graph g : a.subgraphs()) {
      g.parentNode = this;
    }
  }

  public Attribute removeAttribute(String attrName) {
    return attributes.remove(attrName);
  }

  public long intAttr(String attrName, long defaultValue) {
    Attribute a = attributes.get(attrName);
    return a == null ? defaultValue : a.i();
  }

  public float floatAttr(String attrName, float defaultValue) {
    Attribute a = attributes.get(attrName);
    return a == null ? defaultValue : a.f();
  }

  public String stringAttr(String attrName, String defaultValue) {
    Attribute a = attributes.get(attrName);
    return a == null ? defaultValue : a.s();
  }

  public long[] intsAttr(String attrName, long[] defaultValue) {
    Attribute a = attributes.get(attrName);
    return a == null ? defaultValue : a.ints();
  }

  /** Every subgraph held by this node's attributes (If branches, Loop/Scan bodies). */
  public List<Graph> subgraphs() {
    List<Graph> out = new ArrayList<>();
    for (Attribute a : attributes.values()) {
      out.addAll(a.subgraphs());
    }
    return out;
  }

  /** Detaches all inputs (used when the node is removed from its graph). */
  void dropInputUses() {
    for (int i = 0; i < inputs.size(); i++) {
      Value v = inputs.get(i);
      if (v != null) {
        v.uses.remove(new Value.Use(this, i));
      }
    }
  }

  /** Re-registers uses after {@link #dropInputUses()}. */
  void restoreInputUses() {
    for (int i = 0; i < inputs.size(); i++) {
      Value v = inputs.get(i);
      if (v != null) {
        v.uses.add(new Value.Use(this, i));
      }
    }
  }

  /** Label for messages: name and op type, e.g. {@code 'conv1' (Conv)}. */
  public String label() {
    String op = domain.isEmpty() ? opType : domain + "." + opType;
    return "'" + name + "' (" + op + ")";
  }

  /** A {@link WhittleException} builder already naming this node. */
  public WhittleException.Builder error(String problem) {
    return WhittleException.builder(problem).node(name, domain.isEmpty() ? opType : domain + "." + opType);
  }

  @Override
  public String toString() {
    return "Node" + label();
  }
}
