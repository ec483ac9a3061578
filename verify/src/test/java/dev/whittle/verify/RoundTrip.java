package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.IrPrinter;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The round-trip check shared by the suite and real-model tests. */
final class RoundTrip {
  private RoundTrip() {}

  /**
   * Writes {@code original} to {@code dir}, re-reads it, and checks: equal IR; writing the re-read
   * model again gives identical bytes. Returns the written file.
   */
  static Path writeAndCheck(Path original, Path dir) throws IOException {
    Model m = OnnxReader.read(original);
    Path out = dir.resolve("roundtrip.onnx");
    OnnxWriter.write(m, out);
    Model back = OnnxReader.read(out);
    assertEquals(IrPrinter.print(m), IrPrinter.print(back), "re-read IR differs for " + original);
    Path again = dir.resolve("roundtrip-again.onnx");
    OnnxWriter.write(back, again);
    assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(again), "writing is not deterministic for " + original);
    return out;
  }

  /** Runs both files in ONNX Runtime on the same inputs; every output must be bit-identical. */
  static void assertSameOutputsInOrt(Path original, Path written, Map<String, Tensor> inputs) {
    Map<String, Tensor> expected;
    try (OrtRunner ort = OrtRunner.open(original)) {
      expected = ort.run(inputs);
    }
    Map<String, Tensor> actual;
    try (OrtRunner ort = OrtRunner.open(written)) {
      actual = ort.run(inputs);
    }
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertTrue(expected.get(name).contentEquals(actual.get(name)),
          "output '" + name + "' of " + original + " is not bit-identical after the round trip");
    }
  }
}
