package dev.whittle.ir;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node attribute (ONNX {@code AttributeProto}). The value's Java type follows the kind:
 * FLOAT {@code Float}, INT {@code Long}, STRING {@code byte[]}, TENSOR {@link Tensor}, GRAPH
 * {@link Graph}, SPARSE_TENSOR {@link SparseTensor}, TYPE_PROTO {@link Type}, FLOATS
 * {@code float[]}, INTS {@code long[]}, STRINGS {@code List<byte[]>}, TENSORS, GRAPHS,
 * SPARSE_TENSORS and TYPE_PROTOS as lists. An attribute inside a function body may instead refer to
 * an attribute of the calling node ({@link #refAttrName()}), in which case its value is null.
 *
 * <p>Attributes are immutable except that the graphs they hold are mutable subgraphs.
 */
public final class Attribute {
  /** Attribute kinds with their {@code AttributeProto.AttributeType} codes. */
  public enum Kind {
    UNDEFINED(0), FLOAT(1), INT(2), STRING(3), TENSOR(4), GRAPH(5), SPARSE_TENSOR(11),
    TYPE_PROTO(13), FLOATS(6), INTS(7), STRINGS(8), TENSORS(9), GRAPHS(10), SPARSE_TENSORS(12),
    TYPE_PROTOS(14);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Kind fromCode(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw WhittleException.builder("unknown attribute type")
          .expected("an AttributeProto.AttributeType code 0..14")
          .found(Integer.toString(code))
          .build();
    }
  }

  private final String name;
  private final Kind kind;
  private final Object value;
  private final String refAttrName;
  private final String docString;
  private final byte[] unknownFields;

  private Attribute(String name, Kind kind, Object value, String refAttrName, String docString, byte[] unknownFields) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.value = value;
    this.refAttrName = refAttrName;
    this.docString = docString;
    this.unknownFields = unknownFields == null || unknownFields.length == 0 ? null : unknownFields;
  }

  /** General factory used by the reader; {@code value} must match {@code kind} as documented above. */
  public static Attribute of(String name, Kind kind, Object value, String refAttrName, String docString, byte[] unknownFields) {
    return new Attribute(name, kind, value, refAttrName, docString, unknownFields);
  }

  public static Attribute of(String name, float v) {
    return new Attribute(name, Kind.FLOAT, v, null, null, null);
  }

  public static Attribute of(String name, long v) {
    return new Attribute(name, Kind.INT, v, null, null, null);
  }

  public static Attribute of(String name, String v) {
    return new Attribute(name, Kind.STRING, v.getBytes(StandardCharsets.UTF_8), null, null, null);
  }

  public static Attribute of(String name, Tensor v) {
    return new Attribute(name, Kind.TENSOR, v, null, null, null);
  }

  public static Attribute of(String name, Graph v) {
    return new Attribute(name, Kind.GRAPH, v, null, null, null);
  }

  public static Attribute ofFloats(String name, float... v) {
    return new Attribute(name, Kind.FLOATS, v.clone(), null, null, null);
  }

  public static Attribute ofInts(String name, long... v) {
    return new Attribute(name, Kind.INTS, v.clone(), null, null, null);
  }

  public static Attribute ofStrings(String name, List<String> v) {
    List<byte[]> bytes = new ArrayList<>();
    for (String s : v) {
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return new Attribute(name, Kind.STRINGS, List.copyOf(bytes), null, null, null);
  }

  /** An attribute of a function body that takes its value from the caller's attribute. */
  public static Attribute reference(String name, Kind kind, String refAttrName) {
    return new Attribute(name, kind, null, refAttrName, null, null);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** The raw value as described in the class comment (null for a reference). */
  public Object value() {
    return value;
  }

  public String refAttrName() {
    return refAttrName;
  }

  public boolean isReference() {
    return refAttrName != null && !refAttrName.isEmpty();
  }

  public String docString() {
    return docString;
  }

  public byte[] unknownFields() {
    return unknownFields == null ? null : unknownFields.clone();
  }

  public Attribute withName(String newName) {
    return new Attribute(newName, kind, value, refAttrName, docString, unknownFields);
  }

  public float f() {
    return (Float) expect(Kind.FLOAT);
  }

  public long i() {
    return (Long) expect(Kind.INT);
  }

  public String s() {
    return new String((byte[]) expect(Kind.STRING), StandardCharsets.UTF_8);
  }

  public byte[] bytes() {
    return ((byte[]) expect(Kind.STRING)).clone();
  }

  public Tensor t() {
    return (Tensor) expect(Kind.TENSOR);
  }

  public Graph g() {
    return (Graph) expect(Kind.GRAPH);
  }

  public SparseTensor sparseTensor() {
    return (SparseTensor) expect(Kind.SPARSE_TENSOR);
  }

  public Type tp() {
    return (Type) expect(Kind.TYPE_PROTO);
  }

  public float[] floats() {
    return ((float[]) expect(Kind.FLOATS)).clone();
  }

  public long[] ints() {
    return ((long[]) expect(Kind.INTS)).clone();
  }

  public List<String> strings() {
    @SuppressWarnings("unchecked")
    List<byte[]> raw = (List<byte[]>) expect(Kind.STRINGS);
    List<String> out = new ArrayList<>(raw.size());
    for (byte[] b : raw) {
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  public List<Tensor> tensors() {
    return (List<Tensor>) expect(Kind.TENSORS);
  }

  @SuppressWarnings("unchecked")
  public List<Graph> graphs() {
    return (List<Graph>) expect(Kind.GRAPHS);
  }

  @SuppressWarnings("unchecked")
  public List<SparseTensor> sparseTensors() {
    return (List<SparseTensor>) expect(Kind.SPARSE_TENSORS);
  }

  @SuppressWarnings("unchecked")
  public List<Type> typeProtos() {
    return (List<Type>) expect(Kind.TYPE_PROTOS);
  }

  /** The subgraphs this attribute holds (GRAPH or GRAPHS), else an empty list. */
  public List<Graph> subgraphs() {
    if (kind == Kind.GRAPH && value != null) {
      return List.of((Graph) value);
    }
    if (kind == Kind.GRAPHS && value != null) {
      return graphs();
    }
    return List.of();
  }

  private Object expect(Kind k) {
    if (kind != k) {
      throw WhittleException.builder("attribute '" + name + "' has the wrong kind")
          .expected(k.name().toLowerCase())
          .found(kind.name().toLowerCase())
          .build();
    }
    if (value == null) {
      throw new WhittleException("attribute '" + name + "' refers to caller attribute '" + refAttrName + "' and has no value here");
    }
    return value;
  }

  /** Value equality of non-graph attributes; graphs compare by identity (use the printer for deep comparison). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Attribute a)) {
      return false;
    }
    return a.name.equals(name) && a.kind == kind && Objects.equals(a.refAttrName, refAttrName)
        && Objects.equals(a.docString, docString) && Arrays.equals(a.unknownFields, unknownFields)
        && valueEquals(a.value, value);
  }

  private static boolean valueEquals(Object x, Object y) {
    if (x instanceof float[] fx && y instanceof float[] fy) {
      return Arrays.equals(fx, fy);
    }
    if (x instanceof long[] lx && y instanceof long[] ly) {
      return Arrays.equals(lx, ly);
    }
    if (x instanceof byte[] bx && y instanceof byte[] by) {
      return Arrays.equals(bx, by);
    }
    if (x instanceof List<?> lx && y instanceof List<?> ly) {
      if (lx.size() != ly.size()) {
        return false;
      }
      for (int i = 0; i < lx.size(); i++) {
        if (!valueEquals(lx.get(i), ly.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(x, y);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind);
  }

  @Override
  public String toString() {
    return name + ":" + kind.name().toLowerCase();
  }
}
