package dev.whittle.ir;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The textual form of the IR: complete and deterministic, so two models are equal exactly when
 * their texts are. Small tensors print their values, large ones a SHA-256 of their data.
 *
 * <pre>
 * graph "main" {
 *   input %x: float32[N,3]
 *   init %w: float32[3,4] = sha256:1f2e...
 *   %y = MatMul(%x, %w) name="mm"
 *   output %y: float32[N,4]
 * }
 * </pre>
 */
public final class IrPrinter {
  /** Tensors with at most this many elements print their values. */
  private static final long INLINE_ELEMENTS = 16;

  private final StringBuilder out = new StringBuilder();

  private IrPrinter() {}

  public static String print(Model m) {
    IrPrinter p = new IrPrinter();
    p.model(m);
    return p.out.toString();
  }

  public static String print(Graph g) {
    IrPrinter p = new IrPrinter();
    p.graph(g, "", "graph");
    return p.out.toString();
  }

  private void model(Model m) {
    out.append("model ir_version=").append(m.irVersion());
    out.append(" opsets=").append(m.opsetImports());
    field(" producer", m.producerName());
    field(" producer_version", m.producerVersion());
    field(" domain", m.domain());
    if (m.modelVersion() != 0) {
      out.append(" model_version=").append(m.modelVersion());
    }
    out.append('\n');
    extras("", m.docString(), m.metadataProps(), m.unknownFields());
    for (Map.Entry<String, byte[]> e : m.opsetUnknownFields().entrySet()) {
      out.append("opset_unknown ").append(quote(e.getKey())).append(' ').append(hex(e.getValue())).append('\n');
    }
    for (byte[] t : m.trainingInfo()) {
      out.append("training_info ").append(hex(t)).append('\n');
    }
    for (Function f : m.functions()) {
      function(f);
    }
    graph(m.graph(), "", "graph");
  }

  private void function(Function f) {
    out.append("function ").append(quote(f.domain())).append(' ').append(quote(f.name()));
    field(" overload", f.overload());
    out.append(" attributes=").append(f.attributeNames()).append(" opsets=").append(f.opsetImports()).append('\n');
    extras("  ", f.docString(), f.metadataProps(), f.unknownFields());
    for (Attribute a : f.attributeDefaults()) {
      out.append("  default ");
      attribute(a, "  ");
      out.append('\n');
    }
    graph(f.body(), "  ", "body");
  }

  private void graph(Graph g, String indent, String keyword) {
    out.append(indent).append(keyword).append(' ').append(quote(g.name())).append(" {\n");
    String in = indent + "  ";
    extras(in, g.docString(), g.metadataProps(), g.unknownFields());
    for (Value v : g.inputs()) {
      out.append(in).append("input ");
      valueDecl(v);
    }
    for (Value v : g.initializers()) {
      out.append(in).append("init ").append(v).append(" = ");
      tensor(v.initializer());
      out.append('\n');
    }
    for (Value v : g.sparseInitializers()) {
      out.append(in).append("sparse_init ").append(v).append(" = ");
      sparse(v.sparseInitializer());
      out.append('\n');
    }
    for (Value v : g.valueInfo()) {
      out.append(in).append("value_info ");
      valueDecl(v);
    }
    for (Node n : g.nodes()) {
      node(n, in);
    }
    for (Value v : g.outputs()) {
      out.append(in).append("output ");
      valueDecl(v);
    }
    for (Graph.TensorAnnotation a : g.quantizationAnnotations()) {
      out.append(in).append("quant_annotation ").append(quote(a.tensorName())).append(' ')
          .append(a.quantParameterTensorNames()).append('\n');
    }
    out.append(indent).append("}\n");
  }

  private void valueDecl(Value v) {
    out.append(v).append(": ").append(v.type() == null ? "?" : v.type());
    if (v.type() != null && v.type().denotation() != null) {
      out.append(" denotation=").append(quote(v.type().denotation()));
    }
    if (!v.isDefined()) {
      out.append(" (undefined)");
    }
    out.append('\n');
    extras("      ", v.docString(), v.metadataProps(), v.unknownFields());
  }

  private void node(Node n, String indent) {
    out.append(indent);
    List<Value> outs = n.outputs();
    for (int i = 0; i < outs.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(outs.get(i) == null ? "_" : outs.get(i).toString());
    }
    out.append(" = ");
    if (!n.domain().isEmpty()) {
      out.append(n.domain()).append("::");
    }
    out.append(n.opType());
    field(" overload", n.overload());
    out.append('(');
    List<Value> ins = n.inputs();
    for (int i = 0; i < ins.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(ins.get(i) == null ? "_" : ins.get(i).toString());
    }
    out.append(')');
    if (!n.name().isEmpty()) {
      out.append(" name=").append(quote(n.name()));
    }
    if (!n.attributes().isEmpty()) {
      out.append(" {");
      boolean first = true;
      for (Attribute a : n.attributes().values()) {
        out.append(first ? "" : ", ");
        first = false;
        attribute(a, indent + "  ");
      }
      out.append('}');
    }
    out.append('\n');
    extras(indent + "    ", n.docString(), n.metadataProps(), n.unknownFields());
  }

  @SuppressWarnings("unchecked")
  private void attribute(Attribute a, String indent) {
    out.append(a.name()).append(':').append(a.kind().name().toLowerCase());
    if (a.isReference()) {
      out.append(" @").append(a.refAttrName());
    }
    if (a.docString() != null) {
      out.append(" doc=").append(quote(a.docString()));
    }
    if (a.unknownFields() != null) {
      out.append(" unknown=").append(hex(a.unknownFields()));
    }
    Object v = a.value();
    if (v == null) {
      return;
    }
    out.append('=');
    switch (a.kind()) {
      case FLOAT -> out.append(floatText((Float) v));
      case INT -> out.append(v);
      case STRING -> out.append(quote(new String((byte[]) v, StandardCharsets.UTF_8)));
      case TENSOR -> tensor((Tensor) v);
      case SPARSE_TENSOR -> sparse((SparseTensor) v);
      case TYPE_PROTO -> out.append(v);
      case FLOATS -> {
        float[] fs = (float[]) v;
        out.append('[');
        for (int i = 0; i < fs.length; i++) {
          out.append(i == 0 ? "" : ",").append(floatText(fs[i]));
        }
        out.append(']');
      }
      case INTS -> out.append(Arrays.toString((long[]) v).replace(" ", ""));
      case STRINGS -> {
        out.append('[');
        List<byte[]> ss = (List<byte[]>) v;
        for (int i = 0; i < ss.size(); i++) {
          out.append(i == 0 ? "" : ",").append(quote(new String(ss.get(i), StandardCharsets.UTF_8)));
        }
        out.append(']');
      }
      case TENSORS -> {
        out.append('[');
        for (Tensor t : (List<Tensor>) v) {
          tensor(t);
          out.append(';');
        }
        out.append(']');
      }
      case SPARSE_TENSORS -> {
        out.append('[');
        for (SparseTensor t : (List<SparseTensor>) v) {
          sparse(t);
          out.append(';');
        }
        out.append(']');
      }
      case TYPE_PROTOS -> out.append(v);
      case GRAPH -> {
        out.append('\n');
        graph((Graph) v, indent + "  ", "subgraph");
        out.append(indent);
      }
      case GRAPHS -> {
        out.append("[\n");
        for (Graph g : (List<Graph>) v) {
          graph(g, indent + "  ", "subgraph");
        }
        out.append(indent).append(']');
      }
      case UNDEFINED -> { }
    }
  }

  private void tensor(Tensor t) {
    out.append(t.dtype().displayName()).append(Shape.format(t.dims()));
    if (t.name() != null) {
      out.append(" name=").append(quote(t.name()));
    }
    if (t.docString() != null) {
      out.append(" doc=").append(quote(t.docString()));
    }
    if (!t.metadataProps().isEmpty()) {
      out.append(" metadata=").append(new java.util.TreeMap<>(t.metadataProps()));
    }
    if (t.unknownFields() != null) {
      out.append(" unknown=").append(hex(t.unknownFields()));
    }
    if (t.dtype() != DType.STRING && t.elementCount() <= INLINE_ELEMENTS) {
      out.append(" bytes=").append(HexFormat.of().formatHex(t.toByteArray()));
    } else {
      out.append(" sha256:").append(t.contentHash());
    }
  }

  private void sparse(SparseTensor s) {
    out.append("sparse").append(Shape.format(s.dims())).append(" values=");
    tensor(s.values());
    out.append(" indices=");
    tensor(s.indices());
  }

  private void extras(String indent, String doc, Map<String, String> props, byte[] unknown) {
    if (doc != null) {
      out.append(indent).append("doc ").append(quote(doc)).append('\n');
    }
    if (!props.isEmpty()) {
      out.append(indent).append("metadata ").append(props).append('\n');
    }
    if (unknown != null) {
      out.append(indent).append("unknown_fields ").append(hex(unknown)).append('\n');
    }
  }

  private void field(String key, String value) {
    if (value != null) {
      out.append(key).append('=').append(quote(value));
    }
  }

  /** Exact text of a float: shortest round-trip form plus the bits when that is ambiguous (NaNs). */
  private static String floatText(float f) {
    return Float.isNaN(f) ? "nan(0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")" : Float.toString(f);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
