package dev.whittle.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model-local function (ONNX {@code FunctionProto}). Its body is a {@link Graph} whose inputs
 * and outputs are the function's formal parameters (untyped unless value_info says otherwise);
 * attributes of body nodes may refer to the function's attributes by {@code ref_attr_name}.
 */
public final class Function extends Annotated {
  private final String name;
  private final String domain;
  private String overload;
  private final Graph body;
  private final List<String> attributeNames = new ArrayList<>();
  private final List<Attribute> attributeDefaults = new ArrayList<>();
  private final Map<String, Long> opsetImports = new LinkedHashMap<>();

  public Function(String name, String domain, Graph body) {
    this.name = name;
    this.domain = domain == null ? "" : domain;
    this.body = body;
  }

  public String name() {
    return name;
  }

  public String domain() {
    return domain;
  }

  public String overload() {
    return overload;
  }

  public void setOverload(String overload) {
    this.overload = overload;
  }

  public Graph body() {
    return body;
  }

  /** Attribute names without defaults (ONNX {@code attribute}). */
  public List<String> attributeNames() {
    return attributeNames;
  }

  /** Attributes with default values (ONNX {@code attribute_proto}). */
  public List<Attribute> attributeDefaults() {
    return attributeDefaults;
  }

  public Map<String, Long> opsetImports() {
    return opsetImports;
  }

  public Function copy() {
    Function f = new Function(name, domain, body.copy());
    f.overload = overload;
    f.attributeNames.addAll(attributeNames);
    f.attributeDefaults.addAll(attributeDefaults);
    f.opsetImports.putAll(opsetImports);
    f.copyAnnotationsFrom(this);
    return f;
  }

  @Override
  public String toString() {
    return "Function " + (domain.isEmpty() ? "" : domain + ".") + name;
  }
}
