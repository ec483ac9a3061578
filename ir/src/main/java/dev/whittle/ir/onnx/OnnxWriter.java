package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorAnnotation;
import ai.onnx.proto.OnnxMl.TrainingInfoProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.whittle.ir.AtomicOutput;
import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Function;
import dev.whittle.ir.Graph;
import dev.whittle.ir.IoErrors;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.SparseTensor;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the IR as an ONNX file. Output is deterministic (same IR, same options: same bytes) and
 * atomic (temporary files renamed into place), and a model is never written over the file it was
 * read from or over external data it still reads. Tensor data is streamed from its memory mapping,
 * not copied onto the heap.
 */
public final class OnnxWriter {
  /** Protobuf refuses messages of 2 GiB or more; above this, initializers go to external data. */
  static final long PROTOBUF_LIMIT = (1L << 31) - 1;
  /** Room kept below the limit for everything that is not initializer data. */
  private static final long LIMIT_MARGIN = 64L << 20;

  /**
   * How to write.
   *
   * @param externalData put initializers of at least {@code threshold} bytes into an external file
   * @param threshold minimum size in bytes of an initializer moved to external data
   * @param dataFileName name of the external data file beside the model, or null for
   *     {@code <model file name>.data}
   */
  public record Options(boolean externalData, long threshold, String dataFileName) {
    public static final long DEFAULT_THRESHOLD = 1024;

    public static Options inline() {
      return new Options(false, DEFAULT_THRESHOLD, null);
    }

    public static Options external(long threshold) {
      return new Options(true, threshold, null);
    }
  }

  private final Options options;
  private final Set<Tensor> externalTensors;
  private ExternalDataSink sink;

  private OnnxWriter(Options options, Set<Tensor> externalTensors) {
    this.options = options;
    this.externalTensors = externalTensors;
  }

  public static void write(Model model, Path out) {
    write(model, out, Options.inline());
  }

  public static void write(Model model, Path out, Options options) {
    Path target = out.toAbsolutePath().normalize();
    refuseOverwritingInputs(model, target);
    Set<Tensor> external = chooseExternal(model, options);
    String dataName = options.dataFileName() != null ? options.dataFileName() : target.getFileName() + ".data";
    Path dataTarget = target.resolveSibling(dataName).normalize();
    if (!external.isEmpty()) {
      if (!dataTarget.getParent().equals(target.getParent()) || Path.of(dataName).isAbsolute()) {
        throw WhittleException.builder("external data file name '" + dataName + "' must be a plain file name")
            .expected("a file beside " + target.getFileName()).file(target).build();
      }
      refuseOverwritingInputs(model, dataTarget);
    }
    try (AtomicOutput output = new AtomicOutput()) {
      OnnxWriter writer = new OnnxWriter(options, external);
      if (!external.isEmpty()) {
        writer.sink = new ExternalDataSink(output.temporaryFor(dataTarget), dataName);
      }
      ModelProto proto;
      try {
        proto = writer.model(model);
      } finally {
        if (writer.sink != null) {
          writer.sink.close();
        }
      }
      if (proto.getSerializedSize() < 0) {
        throw WhittleException.builder("model is too large for protobuf even with external data").file(target).build();
      }
      Path temp = output.temporaryFor(target);
      try (OutputStream os = Files.newOutputStream(temp)) {
        CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
        proto.writeTo(cos);
        cos.flush();
      }
      output.commit();
    } catch (IOException e) {
      throw WhittleException.builder("cannot write: " + IoErrors.describe(e)).file(target).build(e);
    }
  }

  /** The model as bytes, all data inline (for handing small models to a runtime in memory). */
  public static byte[] toBytes(Model model) {
    return new OnnxWriter(Options.inline(), Set.of()).model(model).toByteArray();
  }

  /** Writes one tensor as a serialized {@code TensorProto} file (the test-data format). */
  public static void writeTensor(Tensor tensor, Path out) {
    Path target = out.toAbsolutePath().normalize();
    try (AtomicOutput output = new AtomicOutput()) {
      Path temp = output.temporaryFor(target);
      try (OutputStream os = Files.newOutputStream(temp)) {
        CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
        ProtoTensors.toProto(tensor, null, null).writeTo(cos);
        cos.flush();
      }
      output.commit();
    } catch (IOException e) {
      throw WhittleException.builder("cannot write: " + IoErrors.describe(e)).file(target).build(e);
    }
  }

  private static void refuseOverwritingInputs(Model model, Path target) {
    Set<Path> inputs = new HashSet<>();
    if (model.source() != null) {
      inputs.add(model.source());
    }
    forEachTensor(model.graph(), t -> {
      if (t.location() != null) {
        inputs.add(t.location().file().toAbsolutePath().normalize());
      }
    });
    for (Path in : inputs) {
      if (sameFile(in, target)) {
        throw WhittleException.builder("refusing to write over an input file")
            .expected("an output path different from " + in).file(target).build();
      }
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return a.equals(b) || (Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Initializers that go to external data: by the caller's threshold, or forced by protobuf's limit. */
  private static Set<Tensor> chooseExternal(Model model, Options options) {
    Set<Tensor> chosen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    long[] total = {0};
    forEachInitializer(model.graph(), t -> {
      if (t.dtype() != DType.STRING) {
        total[0] += t.byteSize();
      }
    });
    boolean forced = total[0] > PROTOBUF_LIMIT - LIMIT_MARGIN;
    long threshold = options.externalData() ? options.threshold() : Options.DEFAULT_THRESHOLD;
    if (options.externalData() || forced) {
      forEachInitializer(model.graph(), t -> {
        if (t.dtype() != DType.STRING && t.byteSize() >= threshold) {
          chosen.add(t);
        }
      });
    }
    return chosen;
  }

  private static void forEachInitializer(Graph g, java.util.function.Consumer<Tensor> action) {
    for (Value v : g.initializers()) {
      action.accept(v.initializer());
    }
    for (Node n : g.nodes()) {
      for (Graph sg : n.subgraphs()) {
        forEachInitializer(sg, action);
      }
    }
  }

  private static void forEachTensor(Graph g, java.util.function.Consumer<Tensor> action) {
    forEachInitializer(g, action);
    for (Node n : g.nodes()) {
      for (Attribute a : n.attributes().values()) {
        if (a.kind() == Attribute.Kind.TENSOR && a.value() != null) {
          action.accept(a.t());
        }
      }
    }
  }

  // ---- model ----

  private ModelProto model(Model m) {
    ModelProto.Builder b = ModelProto.newBuilder();
    b.setIrVersion(m.irVersion());
    for (Map.Entry<String, Long> op : m.opsetImports().entrySet()) {
      OperatorSetIdProto.Builder ob = OperatorSetIdProto.newBuilder().setDomain(op.getKey()).setVersion(op.getValue());
      ProtoUnknown.restore(ob, m.opsetUnknownFields().get(op.getKey()));
      b.addOpsetImport(ob);
    }
    if (m.producerName() != null) {
      b.setProducerName(m.producerName());
    }
    if (m.producerVersion() != null) {
      b.setProducerVersion(m.producerVersion());
    }
    if (m.domain() != null) {
      b.setDomain(m.domain());
    }
    if (m.modelVersion() != 0) {
      b.setModelVersion(m.modelVersion());
    }
    if (m.docString() != null) {
      b.setDocString(m.docString());
    }
    b.setGraph(graph(m.graph()));
    props(m.metadataProps(), b::addMetadataProps);
    for (byte[] t : m.trainingInfo()) {
      try {
        b.addTrainingInfo(TrainingInfoProto.parseFrom(t));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("training info kept from the input no longer parses", e);
      }
    }
    for (Function f : m.functions()) {
      b.addFunctions(function(f));
    }
    ProtoUnknown.restore(b, m.unknownFields());
    return b.build();
  }

  private FunctionProto function(Function f) {
    FunctionProto.Builder b = FunctionProto.newBuilder().setName(f.name()).setDomain(f.domain());
    if (f.overload() != null) {
      b.setOverload(f.overload());
    }
    Graph body = f.body();
    for (Value v : body.inputs()) {
      b.addInput(v.name());
    }
    for (Value v : body.outputs()) {
      b.addOutput(v.name());
    }
    b.addAllAttribute(f.attributeNames());
    for (Attribute a : f.attributeDefaults()) {
      b.addAttributeProto(attribute(a));
    }
    for (Node n : body.nodes()) {
      b.addNode(node(n));
    }
    if (f.docString() != null) {
      b.setDocString(f.docString());
    }
    for (Map.Entry<String, Long> op : f.opsetImports().entrySet()) {
      b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(op.getKey()).setVersion(op.getValue()));
    }
    for (Value v : body.valueInfo()) {
      b.addValueInfo(valueInfo(v));
    }
    props(f.metadataProps(), b::addMetadataProps);
    ProtoUnknown.restore(b, f.unknownFields());
    return b.build();
  }

  private GraphProto graph(Graph g) {
    GraphProto.Builder b = GraphProto.newBuilder();
    for (Node n : g.nodes()) {
      b.addNode(node(n));
    }
    b.setName(g.name());
    for (Value v : g.initializers()) {
      Tensor t = v.initializer();
      ExternalDataSink.Placement placement = null;
      if (externalTensors.contains(t)) {
        try {
          placement = sink.append(t);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      b.addInitializer(ProtoTensors.toProto(t, v.name(), placement));
    }
    for (Value v : g.sparseInitializers()) {
      b.addSparseInitializer(sparse(v.sparseInitializer(), v.name()));
    }
    if (g.docString() != null) {
      b.setDocString(g.docString());
    }
    for (Value v : g.inputs()) {
      b.addInput(valueInfo(v));
    }
    for (Value v : g.outputs()) {
      b.addOutput(valueInfo(v));
    }
    for (Value v : g.valueInfo()) {
      b.addValueInfo(valueInfo(v));
    }
    for (Graph.TensorAnnotation a : g.quantizationAnnotations()) {
      TensorAnnotation.Builder ab = TensorAnnotation.newBuilder().setTensorName(a.tensorName());
      props(a.quantParameterTensorNames(), ab::addQuantParameterTensorNames);
      b.addQuantizationAnnotation(ab);
    }
    props(g.metadataProps(), b::addMetadataProps);
    ProtoUnknown.restore(b, g.unknownFields());
    return b.build();
  }

  private static ValueInfoProto valueInfo(Value v) {
    ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
    Type type = v.type();
    if (type != null) {
      b.setType(ProtoTypes.toProto(type));
    }
    if (v.docString() != null) {
      b.setDocString(v.docString());
    }
    props(v.metadataProps(), b::addMetadataProps);
    ProtoUnknown.restore(b, v.unknownFields());
    return b.build();
  }

  private NodeProto node(Node n) {
    NodeProto.Builder b = NodeProto.newBuilder();
    for (Value v : n.inputs()) {
      b.addInput(v == null ? "" : v.name());
    }
    for (Value v : n.outputs()) {
      b.addOutput(v == null ? "" : v.name());
    }
    if (!n.name().isEmpty()) {
      b.setName(n.name());
    }
    b.setOpType(n.opType());
    if (!n.domain().isEmpty()) {
      b.setDomain(n.domain());
    }
    if (n.overload() != null) {
      b.setOverload(n.overload());
    }
    for (Attribute a : n.attributes().values()) {
      b.addAttribute(attribute(a));
    }
    if (n.docString() != null) {
      b.setDocString(n.docString());
    }
    props(n.metadataProps(), b::addMetadataProps);
    ProtoUnknown.restore(b, n.unknownFields());
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private AttributeProto attribute(Attribute a) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(a.name());
    if (a.isReference()) {
      b.setRefAttrName(a.refAttrName());
    }
    if (a.docString() != null) {
      b.setDocString(a.docString());
    }
    b.setType(AttributeProto.AttributeType.forNumber(a.kind().code()));
    Object v = a.value();
    if (v != null) {
      switch (a.kind()) {
        case FLOAT -> b.setF((Float) v);
        case INT -> b.setI((Long) v);
        case STRING -> b.setS(ByteString.copyFrom((byte[]) v));
        case TENSOR -> b.setT(ProtoTensors.toProto((Tensor) v, null, null));
        case GRAPH -> b.setG(graph((Graph) v));
        case SPARSE_TENSOR -> b.setSparseTensor(sparse((SparseTensor) v, null));
        case TYPE_PROTO -> b.setTp(ProtoTypes.toProto((Type) v));
        case FLOATS -> {
          for (float f : (float[]) v) {
            b.addFloats(f);
          }
        }
        case INTS -> {
          for (long i : (long[]) v) {
            b.addInts(i);
          }
        }
        case STRINGS -> ((List<byte[]>) v).forEach(s -> b.addStrings(ByteString.copyFrom(s)));
        case TENSORS -> ((List<Tensor>) v).forEach(t -> b.addTensors(ProtoTensors.toProto(t, null, null)));
        case GRAPHS -> ((List<Graph>) v).forEach(g -> b.addGraphs(graph(g)));
        case SPARSE_TENSORS -> ((List<SparseTensor>) v).forEach(s -> b.addSparseTensors(sparse(s, null)));
        case TYPE_PROTOS -> ((List<Type>) v).forEach(t -> b.addTypeProtos(ProtoTypes.toProto(t)));
        case UNDEFINED -> { }
      }
    }
    ProtoUnknown.restore(b, a.unknownFields());
    return b.build();
  }

  private static SparseTensorProto sparse(SparseTensor s, String name) {
    SparseTensorProto.Builder b = SparseTensorProto.newBuilder()
        .setValues(ProtoTensors.toProto(s.values(), name, null))
        .setIndices(ProtoTensors.toProto(s.indices(), null, null));
    for (long d : s.dims()) {
      b.addDims(d);
    }
    return b.build();
  }

  private static void props(Map<String, String> props, java.util.function.Consumer<StringStringEntryProto> add) {
    for (Map.Entry<String, String> e : props.entrySet()) {
      add.accept(ProtoTensors.entry(e.getKey(), e.getValue()));
    }
  }
}
