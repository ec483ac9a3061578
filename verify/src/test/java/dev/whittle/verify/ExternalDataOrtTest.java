package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.ir.IrPrinter;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External data written by Whittle loads in ONNX Runtime; unsafe locations are refused. */
class ExternalDataOrtTest {
  @TempDir Path dir;

  @Test
  void onnxRuntimeLoadsExternalDataWrittenByWhittle() throws IOException {
    Path mnist = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Model m = OnnxReader.read(mnist);
    Path out = dir.resolve("mnist-ext.onnx");
    OnnxWriter.write(m, out, OnnxWriter.Options.external(1024));
    assertTrue(Files.size(dir.resolve("mnist-ext.onnx.data")) > 20_000, "the conv and dense weights go to the data file");
    Model back = OnnxReader.read(out);
    assertEquals(IrPrinter.print(m), IrPrinter.print(back));
    Map<String, Tensor> in = Map.of("Input3", OnnxReader.readTensor(mnist.resolveSibling("test_data_set_0/input_0.pb")));
    RoundTrip.assertSameOutputsInOrt(mnist, out, in);
  }

  private Path modelWithLocation(String location) throws IOException {
    Path mnist = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    ModelProto p = ModelProto.parseFrom(Files.readAllBytes(mnist));
    TensorProto w = p.getGraph().getInitializer(0);
    TensorProto external = w.toBuilder().clearRawData().clearFloatData()
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
        .build();
    ModelProto bad = p.toBuilder().setGraph(p.getGraph().toBuilder().setInitializer(0, external)).build();
    Path sub = Files.createDirectories(dir.resolve("model"));
    Path file = sub.resolve("bad.onnx");
    Files.write(file, bad.toByteArray());
    Files.write(dir.resolve("x.bin"), new byte[4096]);
    return file;
  }

  @Test
  void locationOutsideTheModelFolderIsRefused() throws IOException {
    WhittleException e = assertThrows(WhittleException.class, () -> OnnxReader.read(modelWithLocation("../x.bin")));
    assertTrue(e.getMessage().contains("'../x.bin'") && e.getMessage().contains("outside"), e.getMessage());
  }

  @Test
  void absoluteLocationIsRefused() throws IOException {
    String abs = dir.resolve("x.bin").toAbsolutePath().toString();
    WhittleException e = assertThrows(WhittleException.class, () -> OnnxReader.read(modelWithLocation(abs)));
    assertTrue(e.getMessage().contains("absolute"), e.getMessage());
  }

  @Test
  void missingExternalFileIsNamed() throws IOException {
    WhittleException e = assertThrows(WhittleException.class, () -> OnnxReader.read(modelWithLocation("weights.bin")));
    assertTrue(e.getMessage().contains("'weights.bin' not found") && e.getMessage().contains("bad.onnx"), e.getMessage());
  }
}
