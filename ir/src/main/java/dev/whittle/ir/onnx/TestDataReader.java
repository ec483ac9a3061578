package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the value files of the ONNX test layout ({@code input_N.pb}, {@code output_N.pb}): a
 * {@code TensorProto} for tensor values, a {@code SequenceProto} or {@code OptionalProto} (from
 * onnx-data.proto, which the protobuf bindings lack, so they are decoded here by field number) for
 * sequence and optional values. Which message a file holds follows from the declared type.
 *
 * <p>Values come back as {@link Tensor}, {@code List<Object>} for a sequence, and
 * {@code Optional<Object>} for an optional.
 */
public final class TestDataReader {
  // onnx-data.proto field numbers shared by SequenceProto and OptionalProto
  private static final int ELEM_TYPE = 2;
  private static final int TENSOR = 3;
  private static final int SEQUENCE = 5;
  private static final int OPTIONAL = 7;

  private TestDataReader() {}

  public static Object read(Path file, Type declared) {
    if (declared instanceof Type.SequenceType || declared instanceof Type.OptionalType) {
      try {
        byte[] bytes = Files.readAllBytes(file);
        return declared instanceof Type.SequenceType ? sequence(ByteString.copyFrom(bytes)) : optional(ByteString.copyFrom(bytes));
      } catch (IOException e) {
        throw WhittleException.builder("cannot read test data: " + e.getMessage()).file(file).build(e);
      }
    }
    return OnnxReader.readTensor(file);
  }

  private static List<Object> sequence(ByteString bytes) throws IOException {
    List<Object> items = new ArrayList<>();
    CodedInputStream in = bytes.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case TENSOR -> items.add(ProtoTensors.fromProto(TensorProto.parseFrom(in.readBytes()), null));
        case SEQUENCE -> items.add(sequence(in.readBytes()));
        case OPTIONAL -> items.add(optional(in.readBytes()));
        default -> in.skipField(tag);
      }
    }
    return items;
  }

  private static Optional<Object> optional(ByteString bytes) throws IOException {
    Object value = null;
    CodedInputStream in = bytes.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case TENSOR -> value = ProtoTensors.fromProto(TensorProto.parseFrom(in.readBytes()), null);
        case SEQUENCE -> value = sequence(in.readBytes());
        case OPTIONAL -> value = optional(in.readBytes());
        case ELEM_TYPE -> in.readInt32();
        default -> in.skipField(tag);
      }
    }
    return Optional.ofNullable(value);
  }
}
