package dev.whittle.ir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole ONNX model (ONNX {@code ModelProto}): header fields, opset imports, the main graph,
 * model-local functions, and training information kept opaque (serialized bytes, written back
 * unchanged).
 */
public final class Model extends Annotated {
  private long irVersion;
  private final Map<String, Long> opsetImports = new LinkedHashMap<>();
  private String producerName;
  private String producerVersion;
  private String domain;
  private long modelVersion;
  private Graph graph;
  private final List<Function> functions = new ArrayList<>();
  private final List<byte[]> trainingInfo = new ArrayList<>();
  private final Map<String, byte[]> opsetUnknownFields = new LinkedHashMap<>();
  private Path source;

  public Model(Graph graph) {
    this.graph = graph;
  }

  public long irVersion() {
    return irVersion;
  }

  public void setIrVersion(long irVersion) {
    this.irVersion = irVersion;
  }

  /** Domain ("" for ai.onnx) to opset version, in file order. */
  public Map<String, Long> opsetImports() {
    return opsetImports;
  }

  /** The imported version of the standard ONNX domain, or -1 if not imported. */
  public long defaultOpset() {
    Long v = opsetImports.get("");
    if (v == null) {
      v = opsetImports.get("ai.onnx");
    }
    return v == null ? -1 : v;
  }

  /** Unknown fields of individual opset-import entries, by domain (kept for faithful writing). */
  public Map<String, byte[]> opsetUnknownFields() {
    return opsetUnknownFields;
  }

  public String producerName() {
    return producerName;
  }

  public void setProducerName(String producerName) {
    this.producerName = producerName;
  }

  public String producerVersion() {
    return producerVersion;
  }

  public void setProducerVersion(String producerVersion) {
    this.producerVersion = producerVersion;
  }

  public String domain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public long modelVersion() {
    return modelVersion;
  }

  public void setModelVersion(long modelVersion) {
    this.modelVersion = modelVersion;
  }

  public Graph graph() {
    return graph;
  }

  public void setGraph(Graph graph) {
    this.graph = graph;
  }

  public List<Function> functions() {
    return functions;
  }

  /** Serialized {@code TrainingInfoProto} messages, kept opaque. */
  public List<byte[]> trainingInfo() {
    return trainingInfo;
  }

  /** The file this model was read from, or null. Used in messages and to never write over it. */
  public Path source() {
    return source;
  }

  public void setSource(Path source) {
    this.source = source;
  }

  /** A deep copy of graphs and functions that shares (immutable) tensor data. */
  public Model copy() {
    Model m = new Model(graph.copy());
    m.irVersion = irVersion;
    m.opsetImports.putAll(opsetImports);
    m.opsetUnknownFields.putAll(opsetUnknownFields);
    m.producerName = producerName;
    m.producerVersion = producerVersion;
    m.domain = domain;
    m.modelVersion = modelVersion;
    m.copyAnnotationsFrom(this);
    for (Function f : functions) {
      m.functions.add(f.copy());
    }
    m.trainingInfo.addAll(trainingInfo);
    m.source = source;
    return m;
  }

  @Override
  public String toString() {
    return "Model ir=" + irVersion + " opsets=" + opsetImports + " " + graph;
  }
}
