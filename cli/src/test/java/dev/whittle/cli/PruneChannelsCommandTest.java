package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.report.Json;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code whittle prune --pattern channels} on mnist-8. */
class PruneChannelsCommandTest {
  @TempDir Path dir;

  private static Path mnist() {
    return TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
  }

  @Test
  void removesChannelsRefitsAndSaysWhatItLeftAlone() throws IOException {
    Path out = dir.resolve("c.onnx");
    Path report = dir.resolve("c.json");
    CliRun r = CliRun.of("prune", mnist().toString(), "-o", out.toString(), "--sparsity", "0.25", "--pattern", "channels",
        "--norm", "l2", "--include-edges", "--retrain", "least-squares", "--calibration",
        TestAssets.shared().resolve("datasets/mnist/images.pb").toString(), "--samples", "50", "--report", report.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().matches("(?s).*Convolution28 +Conv +8 -> +6 channels.*"), r.out());
    assertTrue(r.out().matches("(?s).*Convolution110 +Conv +16 -> +12 channels.*"), r.out());
    assertTrue(r.out().contains("left alone: its channels reach the graph output 'Plus214_Output_0'"), r.out());
    assertTrue(Files.size(out) < Files.size(mnist()));
    assertEquals(6, OnnxReader.read(out).graph().value("Parameter5").initializer().dim(0));
    assertTrue(OnnxReader.read(out).metadataProps().get("whittle.pruning").contains("pattern=channels"));
    Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(report));
    List<?> layers = (List<?>) json.get("layers");
    assertEquals(2, layers.size());
    assertEquals(12L, ((Map<?, ?>) layers.get(1)).get("channelsAfter"));
    assertEquals(1, ((List<?>) json.get("skipped")).size());
  }

  @Test
  void aScheduleOrNothingPrunableIsAnErrorAndWritesNothing() {
    Path out = dir.resolve("never.onnx");
    assertEquals(64, CliRun.of("prune", mnist().toString(), "-o", out.toString(), "--sparsity", "0.5", "--pattern", "channels",
        "--schedule", "gradual").exitCode());
    CliRun nothing = CliRun.of("prune", mnist().toString(), "-o", out.toString(), "--sparsity", "0.5", "--pattern", "channels",
        "--include-edges", "--exclude", "Convolution28,Convolution110");
    assertEquals(2, nothing.exitCode());
    assertTrue(nothing.err().contains("no layer's output channels can be removed"), nothing.err());
    assertTrue(nothing.err().contains("'Times212': its channels reach the graph output"), nothing.err());
    assertFalse(Files.exists(out));
  }
}
