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

class PruneCommandTest {
  @TempDir Path dir;

  private static String mnist() {
    return TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx").toString();
  }

  @Test
  void prunesWithLeastSquaresAndReportsSizes() throws IOException {
    Path out = dir.resolve("p.onnx");
    Path report = dir.resolve("p.json");
    CliRun r = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.8", "--retrain", "least-squares",
        "--calibration", TestAssets.shared().resolve("datasets/mnist/images.pb").toString(), "--samples", "50", "--report",
        report.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("3,200 weights,        640 kept (80.0% sparse)"), r.out());
    assertTrue(OnnxReader.read(out).metadataProps().get("whittle.pruning").contains("retrain=least-squares"));
    Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(report));
    assertTrue((Long) json.get("deflatedAfter") < (Long) json.get("deflatedBefore"), json.toString());
    assertEquals(1, ((List<?>) json.get("layers")).size(), "first and last layers stay dense by default");
    Map<?, ?> layer = (Map<?, ?>) ((List<?>) json.get("layers")).getFirst();
    // the second Conv: 16 output channels × 14×14 positions × 8·5·5 inputs; 640 of its 3,200 weights remain
    assertEquals(627_200L, layer.get("macs"));
    assertEquals(627_200L / 5, layer.get("macsSkippingZeros"));
    Map<?, ?> macs = (Map<?, ?>) json.get("multiplyAdds");
    assertEquals(List.of("Input3: [1, 1, 28, 28]"), macs.get("inputs"));
    assertEquals(156_800L + 627_200L + 2_560L, macs.get("dense"));
    Map<?, ?> accuracy = (Map<?, ?>) json.get("accuracy");
    assertTrue(((String) accuracy.get("inputs")).contains("samples 50..99"), "held out from the 50 calibration digits: " + accuracy);
    Map<?, ?> digits = (Map<?, ?>) ((List<?>) accuracy.get("outputs")).getFirst();
    assertEquals(50L, digits.get("argmaxRows"));
    assertTrue((Long) digits.get("argmaxAgreeing") >= 45, "least squares keeps most predictions: " + digits);
    assertTrue(r.out().contains("accuracy vs original, output 'Plus214_Output_0': cosine"), r.out());
  }

  @Test
  void perLayerTargetsOverrideTheSparsity() {
    Path out = dir.resolve("l.onnx");
    CliRun r = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--layer-sparsity",
        "Parameter5=0.2,Parameter193_reshape1=0.9");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("200 weights,        160 kept (20.0% sparse)"), r.out());
    assertTrue(r.out().contains("3,200 weights,      1,600 kept (50.0% sparse)"), r.out());
    assertTrue(r.out().contains("2,560 weights,        256 kept (90.0% sparse)"), r.out());
    CliRun unknown = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--layer-sparsity", "conv9=0.2");
    assertEquals(2, unknown.exitCode(), unknown.out());
    assertTrue(unknown.err().contains("no prunable layer 'conv9'"), unknown.err());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--layer-sparsity", "x").exitCode());
  }

  @Test
  void distillsAtEveryStepOfAGradualSchedule() {
    Path out = dir.resolve("distilled.onnx");
    CliRun r = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.8", "--schedule", "gradual", "--steps", "2",
        "--retrain", "distill", "--retrain-epochs", "1", "--retrain-lr", "4e-3", "--retrain-batch", "16", "--calibration",
        TestAssets.shared().resolve("datasets/mnist/images.pb").toString(), "--samples", "40");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("3,200 weights,        640 kept (80.0% sparse)"), r.out());
    dev.whittle.ir.Model m = OnnxReader.read(out);
    assertTrue(m.metadataProps().get("whittle.pruning").contains("schedule=gradual/2 retrain=distill"), m.metadataProps().toString());
    try (dev.whittle.runtime.Session s = dev.whittle.runtime.Session.open(m)) {
      assertEquals(List.of("Plus214_Output_0"), s.outputs().stream().map(dev.whittle.ir.Value::name).toList());
    }
  }

  @Test
  void distillRefusesModelsItCannotTrainThroughAndWritesNothing() {
    Path out = dir.resolve("never.onnx");
    // ultraface's heads are joined by Concat, which the engine does not train through
    String model = TestAssets.shared().resolve("models/cnn/ultraface-rfb-320/version-slim-320.onnx").toString();
    CliRun r = CliRun.of("prune", model, "-o", out.toString(), "--sparsity", "0.5", "--retrain", "distill", "--calibration", "random",
        "--samples", "2");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("distillation cannot train through") && r.err().contains("(Concat)"), r.err());
    assertFalse(Files.exists(out));
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain", "distill").exitCode());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain-epochs", "3").exitCode());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain-lr", "1e-4").exitCode());
    String images = TestAssets.shared().resolve("datasets/mnist/images.pb").toString();
    for (String[] bad : List.of(new String[] {"--retrain-lr", "0"}, new String[] {"--retrain-lr", "NaN"}, new String[] {"--retrain-batch", "0"})) {
      CliRun r2 = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain", "distill", "--calibration", images,
          bad[0], bad[1]);
      assertEquals(64, r2.exitCode(), r2.err());
      assertTrue(r2.err().contains(bad[0] + " must be"), r2.err());
    }
    CliRun text = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--tokenizer", "tokenizer.json");
    assertEquals(64, text.exitCode(), text.err());
    assertTrue(text.err().contains("--tokenizer needs --calibration TEXT_FILE"), text.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void secondOrderCriterionNeedsCalibrationAndPrunesToTheSparsity() throws IOException {
    Path out = dir.resolve("obs.onnx");
    CliRun refused = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--criterion", "obs");
    assertEquals(64, refused.exitCode(), refused.out() + refused.err()); // a usage error
    assertTrue(refused.err().contains("--criterion obs needs --calibration"), refused.err());
    assertFalse(Files.exists(out));
    CliRun r = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--criterion", "obs", "--calibration",
        TestAssets.shared().resolve("datasets/mnist/images.pb").toString(), "--samples", "50");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("3,200 weights,      1,600 kept (50.0% sparse)"), r.out());
  }

  /** `whittle prune` with an external trainer; the command string is run by sh. */
  private CliRun withCommand(Path out, String command, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.8",
        "--retrain", "command", "--retrain-command", command, "--report", dir.resolve("r.json").toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void aFailingRetrainCommandStopsWithItsExitCodeAndWritesNothing() {
    Path out = dir.resolve("never.onnx");
    CliRun r = withCommand(out, "echo 'trainer: loss is nan' >&2; exit 3");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("whittle: retrain command failed at step 1 with exit code 3"), r.err());
    assertTrue(r.err().contains("last error output:\n  trainer: loss is nan"), r.err());
    assertFalse(Files.exists(out));
    assertFalse(Files.exists(dir.resolve("r.json")));
  }

  private static CliRun channelsWithCommand(Path out, String command) {
    return CliRun.of("prune", mnist(), "-o", out.toString(), "--pattern", "channels", "--sparsity", "0.25", "--include-edges",
        "--retrain", "command", "--retrain-command", command);
  }

  @Test
  void channelPruningHandsTheNarrowedModelToARetrainCommand() throws IOException {
    Path out = dir.resolve("channels.onnx");
    CliRun ok = channelsWithCommand(out, "cp {dir}/weights/*.pb {dir}/out/");
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
    assertTrue(ok.out().contains("16 ->    12 channels"), ok.out());
    assertTrue(OnnxReader.read(out).metadataProps().get("whittle.pruning").contains("retrain=command"));
    Path never = dir.resolve("never-channels.onnx");
    CliRun failing = channelsWithCommand(never, "exit 5");
    assertEquals(2, failing.exitCode(), failing.out() + failing.err());
    assertTrue(failing.err().contains("exit code 5"), failing.err());
    assertFalse(Files.exists(never));
  }

  @Test
  void aRetrainCommandReturningTheWrongTypeWritesNothing() {
    Path out = dir.resolve("never.onnx");
    // the mask file carries the weight's name and dims, but bool elements
    CliRun r = withCommand(out, "cp \"$WHITTLE_RETRAIN_DIR\"/masks/0.pb \"$WHITTLE_RETRAIN_DIR\"/out/0.pb");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("of the wrong shape; expected float32[16, 8, 5, 5], found bool[16, 8, 5, 5]"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void aCopyingRetrainCommandWithSparseInitializers() throws IOException {
    Path out = dir.resolve("sparse.onnx");
    CliRun r = withCommand(out, "cp {dir}/weights/*.pb {dir}/out/", "--include-edges", "--sparse-format", "auto", "--retrain-timeout",
        "120");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    dev.whittle.ir.Model m = OnnxReader.read(out);
    assertEquals(3, m.graph().sparseInitializers().size(), "80% sparse float weights are smaller as sparse_initializer");
    assertTrue(m.metadataProps().get("whittle.pruning").contains("retrain=command sparse-format=auto"));
    Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("r.json")));
    assertTrue((Long) json.get("bytesAfter") < 0.75 * (Long) json.get("bytesBefore"), json.toString());
    // the sparse output can be pruned further: its sparse initializers are weights again
    CliRun again = CliRun.of("prune", out.toString(), "-o", dir.resolve("again.onnx").toString(), "--sparsity", "0.9", "--include-edges");
    assertEquals(0, again.exitCode(), again.out() + again.err());
    assertTrue(again.out().contains("3,200 weights,        320 kept (90.0% sparse)"), again.out());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--sparse-format", "csr").exitCode());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain", "command").exitCode());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain-command", "true").exitCode());
  }

  @Test
  void badOptionsAreUsageErrorsAndWriteNothing() {
    Path out = dir.resolve("never.onnx");
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--pattern", "3:7").exitCode());
    assertEquals(64, CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "0.5", "--retrain", "least-squares").exitCode());
    CliRun tooMuch = CliRun.of("prune", mnist(), "-o", out.toString(), "--sparsity", "1.5");
    assertEquals(2, tooMuch.exitCode());
    assertTrue(tooMuch.err().contains("sparsity must be at least 0 and below 1"), tooMuch.err());
    assertFalse(Files.exists(out));
  }
}
