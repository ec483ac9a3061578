package dev.whittle.ir.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.IrPrinter;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxWriterTest {
  @TempDir Path dir;

  private Model sample() throws IOException {
    float[] w = new float[4096];
    for (int i = 0; i < w.length; i++) {
      w[i] = i * 0.5f;
    }
    Path p = dir.resolve("in.onnx");
    Files.write(p, OnnxProtoFixtures.addModel(ProtoTensors.toProto(Tensor.ofFloats(new long[] {4096}, w), "w", null)).toByteArray());
    return OnnxReader.read(p);
  }

  private long filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void sameModelGivesSameBytes() throws IOException {
    Model m = sample();
    OnnxWriter.write(m, dir.resolve("a.onnx"));
    OnnxWriter.write(m.copy(), dir.resolve("b.onnx"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.onnx")), Files.readAllBytes(dir.resolve("b.onnx")));
  }

  @Test
  void neverWritesOverItsInput() throws IOException {
    Model m = sample();
    byte[] before = Files.readAllBytes(dir.resolve("in.onnx"));
    WhittleException e = assertThrows(WhittleException.class, () -> OnnxWriter.write(m, dir.resolve("./in.onnx")));
    assertTrue(e.getMessage().contains("write over an input"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("in.onnx")));
  }

  @Test
  void failedWriteLeavesNoFileBehind() throws IOException {
    Model m = sample();
    Path blocker = dir.resolve("not-a-dir");
    Files.writeString(blocker, "x");
    long before = filesIn(dir);
    assertThrows(WhittleException.class, () -> OnnxWriter.write(m, blocker.resolve("out.onnx")));
    assertEquals(before, filesIn(dir));
  }

  @Test
  void externalDataRoundTrips() throws IOException {
    Model m = sample();
    Path out = dir.resolve("ext.onnx");
    OnnxWriter.write(m, out, OnnxWriter.Options.external(1024));
    Path data = dir.resolve("ext.onnx.data");
    assertTrue(Files.size(data) >= 4096 * 4);
    assertTrue(Files.size(out) < 1024, "weights must live in the data file");
    Model back = OnnxReader.read(out);
    assertEquals(IrPrinter.print(m), IrPrinter.print(back));
    Tensor w = back.graph().value("w").initializer();
    assertEquals(data, w.location().file());
    assertEquals(0, w.location().offset() % ExternalDataSink.ALIGNMENT);
    // Writing the re-read model must not touch the data file it still reads from.
    WhittleException e = assertThrows(WhittleException.class,
        () -> OnnxWriter.write(back, dir.resolve("other.onnx"), new OnnxWriter.Options(true, 1024, "ext.onnx.data")));
    assertTrue(e.getMessage().contains("write over an input"), e.getMessage());
  }

  @Test
  void tensorsWrappingPrimitiveArraysAreWritten() throws IOException {
    Model m = sample();
    float[] values = new float[4096];
    values[7] = 3.5f;
    m.graph().setInitializer(m.graph().value("w"), Tensor.wrapFloats(new long[] {4096}, values));
    Path out = dir.resolve("wrapped.onnx");
    OnnxWriter.write(m, out);
    assertEquals(3.5f, OnnxReader.read(out).graph().value("w").initializer().toFloatArray()[7]);
    OnnxWriter.write(m, dir.resolve("wrapped-ext.onnx"), OnnxWriter.Options.external(1024));
    assertEquals(3.5f, OnnxReader.read(dir.resolve("wrapped-ext.onnx")).graph().value("w").initializer().toFloatArray()[7]);
  }

  @Test
  void smallTensorsStayInlineBelowTheThreshold() throws IOException {
    Model m = sample();
    OnnxWriter.write(m, dir.resolve("big-threshold.onnx"), OnnxWriter.Options.external(1 << 20));
    assertFalse(Files.exists(dir.resolve("big-threshold.onnx.data")));
  }
}
