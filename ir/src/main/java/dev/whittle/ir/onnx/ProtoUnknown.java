package dev.whittle.ir.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;

/**
 * Keeps protobuf fields Whittle does not know (newer ONNX fields, vendor extensions) as opaque bytes
 * so they survive a read/write cycle unchanged.
 */
final class ProtoUnknown {
  private ProtoUnknown() {}

  static byte[] bytes(UnknownFieldSet fields) {
    return fields.asMap().isEmpty() ? null : fields.toByteArray();
  }

  static void restore(Message.Builder builder, byte[] bytes) {
    if (bytes == null) {
      return;
    }
    try {
      builder.setUnknownFields(UnknownFieldSet.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unknown fields kept from the input no longer parse", e);
    }
  }
}
