package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts between {@link Tensor} and {@code TensorProto}. Reading accepts every storage field
 * ONNX allows (raw_data, the typed *_data fields, external data) and yields raw little-endian
 * data; raw_data is not copied but sliced out of the memory-mapped file. Writing always uses
 * raw_data (or string_data), which every ONNX runtime reads.
 */
final class ProtoTensors {
  private ProtoTensors() {}

  static Tensor fromProto(TensorProto tp, ExternalDataResolver external) {
    DType dtype = DType.fromCode(tp.getDataType());
    long[] dims = new long[tp.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = tp.getDims(i);
      if (dims[i] < 0) {
        throw WhittleException.builder("tensor '" + tp.getName() + "' has a negative dimension")
            .found(tp.getDimsList().toString()).build();
      }
    }
    Tensor.Builder b = Tensor.builder(dtype, dims);
    if (tp.hasName()) {
      b.name(tp.getName());
    }
    if (tp.hasDocString()) {
      b.docString(tp.getDocString());
    }
    for (StringStringEntryProto e : tp.getMetadataPropsList()) {
      b.metadataProp(e.getKey(), e.getValue());
    }
    b.unknownFields(ProtoUnknown.bytes(tp.getUnknownFields()));
    if (dtype == DType.UNDEFINED) {
      throw WhittleException.builder("tensor '" + tp.getName() + "' has no element type")
          .expected("data_type set to a TensorProto.DataType").found("0 (UNDEFINED)").build();
    }
    if (dtype == DType.STRING) {
      List<byte[]> strings = new ArrayList<>(tp.getStringDataCount());
      for (ByteString s : tp.getStringDataList()) {
        strings.add(s.toByteArray());
      }
      return b.strings(strings).build();
    }
    long count = Tensor.elementCount(dims);
    if (tp.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      ExternalDataResolver.Slice slice = external.resolve(tp, dtype.byteSize(count));
      return b.data(slice.data()).location(slice.location()).build();
    }
    if (tp.hasRawData()) {
      return b.data(segmentOf(tp.getRawData())).build();
    }
    return b.data(typedData(tp, dtype, count)).build();
  }

  /** A segment over a ByteString without copying (aliases the mapped file when possible). */
  static MemorySegment segmentOf(ByteString bytes) {
    return MemorySegment.ofBuffer(bytes.asReadOnlyByteBuffer());
  }

  /** Decodes the typed repeated fields (float_data, int32_data, ...) into raw little-endian bytes. */
  private static MemorySegment typedData(TensorProto tp, DType dtype, long count) {
    String name = tp.getName();
    return switch (dtype) {
      case FLOAT -> {
        requireCount(name, "float_data", tp.getFloatDataCount(), count);
        MemorySegment seg = alloc(count * 4);
        for (int i = 0; i < count; i++) {
          seg.setAtIndex(Tensor.F32, i, tp.getFloatData(i));
        }
        yield seg;
      }
      case COMPLEX64 -> {
        requireCount(name, "float_data", tp.getFloatDataCount(), count * 2);
        MemorySegment seg = alloc(count * 8);
        for (int i = 0; i < count * 2; i++) {
          seg.setAtIndex(Tensor.F32, i, tp.getFloatData(i));
        }
        yield seg;
      }
      case DOUBLE, COMPLEX128 -> {
        long n = dtype == DType.DOUBLE ? count : count * 2;
        requireCount(name, "double_data", tp.getDoubleDataCount(), n);
        MemorySegment seg = alloc(n * 8);
        for (int i = 0; i < n; i++) {
          seg.setAtIndex(Tensor.F64, i, tp.getDoubleData(i));
        }
        yield seg;
      }
      case INT64 -> {
        requireCount(name, "int64_data", tp.getInt64DataCount(), count);
        MemorySegment seg = alloc(count * 8);
        for (int i = 0; i < count; i++) {
          seg.setAtIndex(Tensor.I64, i, tp.getInt64Data(i));
        }
        yield seg;
      }
      case UINT32, UINT64 -> {
        requireCount(name, "uint64_data", tp.getUint64DataCount(), count);
        MemorySegment seg = alloc(dtype.byteSize(count));
        for (int i = 0; i < count; i++) {
          long v = tp.getUint64Data(i);
          if (dtype == DType.UINT32) {
            seg.setAtIndex(Tensor.I32, i, (int) v);
          } else {
            seg.setAtIndex(Tensor.I64, i, v);
          }
        }
        yield seg;
      }
      case INT32 -> {
        requireCount(name, "int32_data", tp.getInt32DataCount(), count);
        MemorySegment seg = alloc(count * 4);
        for (int i = 0; i < count; i++) {
          seg.setAtIndex(Tensor.I32, i, tp.getInt32Data(i));
        }
        yield seg;
      }
      case INT16, UINT16, FLOAT16, BFLOAT16 -> {
        // One element per int32, holding the 16-bit pattern in its low bits.
        requireCount(name, "int32_data", tp.getInt32DataCount(), count);
        MemorySegment seg = alloc(count * 2);
        for (int i = 0; i < count; i++) {
          seg.setAtIndex(Tensor.I16, i, (short) tp.getInt32Data(i));
        }
        yield seg;
      }
      case INT8, UINT8, BOOL, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0 -> {
        requireCount(name, "int32_data", tp.getInt32DataCount(), count);
        MemorySegment seg = alloc(count);
        for (int i = 0; i < count; i++) {
          seg.set(ValueLayout.JAVA_BYTE, i, (byte) tp.getInt32Data(i));
        }
        yield seg;
      }
      case INT4, UINT4, FLOAT4E2M1 -> {
        // Two 4-bit elements per int32 entry, already packed low nibble first.
        long bytes = dtype.byteSize(count);
        requireCount(name, "int32_data", tp.getInt32DataCount(), bytes);
        MemorySegment seg = alloc(bytes);
        for (int i = 0; i < bytes; i++) {
          seg.set(ValueLayout.JAVA_BYTE, i, (byte) tp.getInt32Data(i));
        }
        yield seg;
      }
      case STRING, UNDEFINED -> throw new IllegalStateException(dtype.toString());
    };
  }

  private static MemorySegment alloc(long bytes) {
    return MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
  }

  private static void requireCount(String tensor, String field, long found, long expected) {
    if (found != expected) {
      throw WhittleException.builder("tensor '" + tensor + "' has the wrong number of values in " + field)
          .expected(Long.toString(expected)).found(Long.toString(found)).build();
    }
  }

  /**
   * Encodes a tensor. {@code name} overrides the tensor's own name (initializers are named by their
   * value). When {@code external} is non-null the data is referenced there instead of inlined.
   */
  static TensorProto toProto(Tensor t, String name, ExternalDataSink.Placement external) {
    TensorProto.Builder b = TensorProto.newBuilder();
    for (long d : t.dims()) {
      b.addDims(d);
    }
    b.setDataType(t.dtype().code());
    String n = name != null ? name : t.name();
    if (n != null) {
      b.setName(n);
    }
    if (t.docString() != null) {
      b.setDocString(t.docString());
    }
    if (t.dtype() == DType.STRING) {
      for (byte[] s : t.strings()) {
        b.addStringData(ByteString.copyFrom(s));
      }
    } else if (external != null) {
      b.setDataLocation(TensorProto.DataLocation.EXTERNAL);
      b.addExternalData(entry("location", external.location()));
      b.addExternalData(entry("offset", Long.toString(external.offset())));
      b.addExternalData(entry("length", Long.toString(external.length())));
    } else {
      b.setRawData(UnsafeByteOperations.unsafeWrap(t.byteBuffer()));
    }
    for (Map.Entry<String, String> e : t.metadataProps().entrySet()) {
      b.addMetadataProps(entry(e.getKey(), e.getValue()));
    }
    ProtoUnknown.restore(b, t.unknownFields());
    return b.build();
  }

  static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  static String describe(Tensor t) {
    return t.dtype().displayName() + Shape.format(t.dims());
  }
}
