package dev.whittle.ir;

import java.util.Objects;

/**
 * The type of a value (ONNX {@code TypeProto}): a tensor, sparse tensor, sequence, map, optional
 * or opaque type. Each may carry a denotation, kept as read.
 */
public sealed interface Type {

  /** ONNX {@code TypeProto.denotation}, or null. */
  String denotation();

  Type withDenotation(String denotation);

  /** A dense tensor with an element type and a shape (possibly of unknown rank). */
  record TensorType(DType elementType, Shape shape, String denotation) implements Type {
    public TensorType {
      Objects.requireNonNull(elementType);
      Objects.requireNonNull(shape);
    }

    public TensorType(DType elementType, Shape shape) {
      this(elementType, shape, null);
    }

    @Override
    public Type withDenotation(String d) {
      return new TensorType(elementType, shape, d);
    }

    @Override
    public String toString() {
      return elementType.displayName() + shape;
    }
  }

  /** A sparse tensor type. */
  record SparseTensorType(DType elementType, Shape shape, String denotation) implements Type {
    public SparseTensorType {
      Objects.requireNonNull(elementType);
      Objects.requireNonNull(shape);
    }

    @Override
    public Type withDenotation(String d) {
      return new SparseTensorType(elementType, shape, d);
    }

    @Override
    public String toString() {
      return "sparse<" + elementType.displayName() + shape + ">";
    }
  }

  /** A sequence of values of one type; the element type may be unknown (null). */
  record SequenceType(Type elementType, String denotation) implements Type {
    @Override
    public Type withDenotation(String d) {
      return new SequenceType(elementType, d);
    }

    @Override
    public String toString() {
      return "seq<" + (elementType == null ? "?" : elementType) + ">";
    }
  }

  /** A map from an integer or string key type to a value type. */
  record MapType(DType keyType, Type valueType, String denotation) implements Type {
    @Override
    public Type withDenotation(String d) {
      return new MapType(keyType, valueType, d);
    }

    @Override
    public String toString() {
      return "map<" + keyType.displayName() + "," + (valueType == null ? "?" : valueType) + ">";
    }
  }

  /** A value that may be absent. */
  record OptionalType(Type elementType, String denotation) implements Type {
    @Override
    public Type withDenotation(String d) {
      return new OptionalType(elementType, d);
    }

    @Override
    public String toString() {
      return "optional<" + (elementType == null ? "?" : elementType) + ">";
    }
  }

  /** An opaque type named by domain and name. */
  record OpaqueType(String domain, String name, String denotation) implements Type {
    @Override
    public Type withDenotation(String d) {
      return new OpaqueType(domain, name, d);
    }

    @Override
    public String toString() {
      return "opaque<" + domain + "," + name + ">";
    }
  }

  /** A type whose kind was not set in the file (an empty {@code TypeProto}). */
  record Unspecified(String denotation) implements Type {
    @Override
    public Type withDenotation(String d) {
      return new Unspecified(d);
    }

    @Override
    public String toString() {
      return "?";
    }
  }

  static TensorType tensor(DType elementType, long... dims) {
    return new TensorType(elementType, Shape.of(dims));
  }
}
