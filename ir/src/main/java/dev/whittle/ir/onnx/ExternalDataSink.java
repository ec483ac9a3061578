package dev.whittle.ir.onnx;

import dev.whittle.ir.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes tensor data into one external data file, each tensor starting at a multiple of
 * {@link #ALIGNMENT} bytes so that runtimes can memory-map it.
 */
final class ExternalDataSink implements AutoCloseable {
  /** Page-sized alignment, which lets ONNX Runtime map weights instead of copying them. */
  static final int ALIGNMENT = 4096;

  /** Where one tensor went: the location string recorded in the model, offset and length. */
  record Placement(String location, long offset, long length) {}

  private final String location;
  private final FileChannel channel;
  private long position;

  /** @param file the (temporary) file to write; @param location its final name, relative to the model */
  ExternalDataSink(Path file, String location) throws IOException {
    this.location = location;
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  Placement append(Tensor t) throws IOException {
    long start = (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    if (start > position) {
      writeFully(ByteBuffer.allocate((int) (start - position)));
    }
    ByteBuffer data = t.byteBuffer();
    long length = data.remaining();
    writeFully(data);
    position = start + length;
    return new Placement(location, start, length);
  }

  private void writeFully(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  @Override
  public void close() throws IOException {
    channel.force(true);
    channel.close();
  }
}
