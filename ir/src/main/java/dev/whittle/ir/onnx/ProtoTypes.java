package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Type;
import java.util.ArrayList;
import java.util.List;

/** Converts between {@link Type} and {@code TypeProto}, in both directions. */
final class ProtoTypes {
  private ProtoTypes() {}

  static Type fromProto(TypeProto tp) {
    String denotation = tp.hasDenotation() ? tp.getDenotation() : null;
    return switch (tp.getValueCase()) {
      case TENSOR_TYPE -> new Type.TensorType(
          DType.fromCode(tp.getTensorType().getElemType()),
          tp.getTensorType().hasShape() ? shape(tp.getTensorType().getShape()) : Shape.unknownRank(),
          denotation);
      case SPARSE_TENSOR_TYPE -> new Type.SparseTensorType(
          DType.fromCode(tp.getSparseTensorType().getElemType()),
          tp.getSparseTensorType().hasShape() ? shape(tp.getSparseTensorType().getShape()) : Shape.unknownRank(),
          denotation);
      case SEQUENCE_TYPE -> new Type.SequenceType(
          tp.getSequenceType().hasElemType() ? fromProto(tp.getSequenceType().getElemType()) : null, denotation);
      case MAP_TYPE -> new Type.MapType(
          DType.fromCode(tp.getMapType().getKeyType()),
          tp.getMapType().hasValueType() ? fromProto(tp.getMapType().getValueType()) : null, denotation);
      case OPTIONAL_TYPE -> new Type.OptionalType(
          tp.getOptionalType().hasElemType() ? fromProto(tp.getOptionalType().getElemType()) : null, denotation);
      case OPAQUE_TYPE -> new Type.OpaqueType(
          tp.getOpaqueType().getDomain(), tp.getOpaqueType().getName(), denotation);
      case VALUE_NOT_SET -> new Type.Unspecified(denotation);
    };
  }

  private static Shape shape(TensorShapeProto sp) {
    List<Dim> dims = new ArrayList<>(sp.getDimCount());
    for (TensorShapeProto.Dimension d : sp.getDimList()) {
      Dim dim = switch (d.getValueCase()) {
        case DIM_VALUE -> d.getDimValue() >= 0 ? Dim.of(d.getDimValue()) : Dim.unknown();
        case DIM_PARAM -> Dim.symbol(d.getDimParam());
        case VALUE_NOT_SET -> Dim.unknown();
      };
      if (d.hasDenotation()) {
        dim = dim.withDenotation(d.getDenotation());
      }
      dims.add(dim);
    }
    return Shape.of(dims);
  }

  static TypeProto toProto(Type type) {
    TypeProto.Builder b = TypeProto.newBuilder();
    switch (type) {
      case Type.TensorType t -> {
        TypeProto.Tensor.Builder tb = TypeProto.Tensor.newBuilder().setElemType(t.elementType().code());
        if (t.shape().hasRank()) {
          tb.setShape(shape(t.shape()));
        }
        b.setTensorType(tb);
      }
      case Type.SparseTensorType t -> {
        TypeProto.SparseTensor.Builder tb = TypeProto.SparseTensor.newBuilder().setElemType(t.elementType().code());
        if (t.shape().hasRank()) {
          tb.setShape(shape(t.shape()));
        }
        b.setSparseTensorType(tb);
      }
      case Type.SequenceType t -> {
        TypeProto.Sequence.Builder sb = TypeProto.Sequence.newBuilder();
        if (t.elementType() != null) {
          sb.setElemType(toProto(t.elementType()));
        }
        b.setSequenceType(sb);
      }
      case Type.MapType t -> {
        TypeProto.Map.Builder mb = TypeProto.Map.newBuilder().setKeyType(t.keyType().code());
        if (t.valueType() != null) {
          mb.setValueType(toProto(t.valueType()));
        }
        b.setMapType(mb);
      }
      case Type.OptionalType t -> {
        TypeProto.Optional.Builder ob = TypeProto.Optional.newBuilder();
        if (t.elementType() != null) {
          ob.setElemType(toProto(t.elementType()));
        }
        b.setOptionalType(ob);
      }
      case Type.OpaqueType t -> b.setOpaqueType(TypeProto.Opaque.newBuilder().setDomain(t.domain()).setName(t.name()));
      case Type.Unspecified u -> { }
    }
    if (type.denotation() != null) {
      b.setDenotation(type.denotation());
    }
    return b.build();
  }

  private static TensorShapeProto shape(Shape shape) {
    TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
    for (Dim d : shape.dims()) {
      TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
      if (d.isFixed()) {
        db.setDimValue(d.value());
      } else if (d.isSymbolic()) {
        db.setDimParam(d.symbol());
      }
      if (d.denotation() != null) {
        db.setDenotation(d.denotation());
      }
      sb.addDim(db);
    }
    return sb.build();
  }
}
