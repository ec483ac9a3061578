package dev.whittle.runtime;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import java.util.List;

/**
 * What a {@link TypeInferrer} sees: the node, the opset, the input types (inferred so far) and the
 * values of inputs that are constants (initializers, or known through earlier inference).
 */
public final class InferenceContext {
  private final Node node;
  private final long opset;
  private final List<Type> inputTypes;
  private final List<Tensor> constantInputs;
  private final Tensor[] outputValues;

  public InferenceContext(Node node, long opset, List<Type> inputTypes, List<Tensor> constantInputs) {
    this.node = node;
    this.opset = opset;
    this.inputTypes = inputTypes;
    this.constantInputs = constantInputs;
    this.outputValues = new Tensor[node.outputs().size()];
  }

  /**
   * Records that output {@code i} is known without running the model (e.g. Shape of a static
   * shape), so later nodes such as Reshape can use it as a constant.
   */
  public void setOutputValue(int i, Tensor value) {
    outputValues[i] = value;
  }

  Tensor outputValue(int i) {
    return outputValues[i];
  }

  public Node node() {
    return node;
  }

  public long opset() {
    return opset;
  }

  public int inputCount() {
    return inputTypes.size();
  }

  public int outputCount() {
    return node.outputs().size();
  }

  /** Type of input {@code i}, or null when omitted or unknown. */
  public Type inputType(int i) {
    return i < inputTypes.size() ? inputTypes.get(i) : null;
  }

  /** Value of input {@code i} when it is a known constant, else null. */
  public Tensor constantInput(int i) {
    return i < constantInputs.size() ? constantInputs.get(i) : null;
  }

  public boolean hasInput(int i) {
    return node.input(i) != null;
  }

  public Attribute attr(String name) {
    return node.attribute(name);
  }

  public long attrInt(String name, long defaultValue) {
    return node.intAttr(name, defaultValue);
  }

  public long[] attrInts(String name, long[] defaultValue) {
    return node.intsAttr(name, defaultValue);
  }

  public float attrFloat(String name, float defaultValue) {
    return node.floatAttr(name, defaultValue);
  }

  public String attrString(String name, String defaultValue) {
    return node.stringAttr(name, defaultValue);
  }

  public WhittleException.Builder error(String problem) {
    return node.error(problem).opset(opset);
  }
}
