package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one clear line naming the file, exit code 2, and no output file left behind. */
class BadInputTest {
  @TempDir Path dir;

  private void assertRefused(Path input, String expectedFragment) throws IOException {
    Path out = dir.resolve("out.onnx");
    CliRun r = CliRun.of("convert", input.toString(), out.toString());
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("whittle: ") && r.err().contains(input.getFileName().toString()), r.err());
    assertTrue(r.err().contains(expectedFragment), r.err());
    assertFalse(Files.exists(out), "no output file");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
    }
  }

  @Test
  void emptyFile() throws IOException {
    assertRefused(Files.write(dir.resolve("empty.onnx"), new byte[0]), "file is empty");
  }

  @Test
  void randomBytes() throws IOException {
    byte[] junk = new byte[5000];
    new Random(1).nextBytes(junk);
    assertRefused(Files.write(dir.resolve("random.onnx"), junk), "not a valid ONNX file");
  }

  @Test
  void truncatedModel() throws IOException {
    byte[] model = Files.readAllBytes(dev.whittle.ir.testing.TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx"));
    assertRefused(Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(model, model.length / 2)), "truncated");
  }

  @Test
  void missingFile() throws IOException {
    assertRefused(dir.resolve("nowhere.onnx"), "file not found");
  }

  @Test
  void missingExternalDataFile() throws IOException {
    Path mnist = dev.whittle.ir.testing.TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Path sub = Files.createDirectories(dir.resolve("ext"));
    Path withData = sub.resolve("m.onnx");
    CliRun ok = CliRun.of("convert", "--external-data", mnist.toString(), withData.toString());
    assertEquals(0, ok.exitCode(), ok.err());
    Files.delete(sub.resolve("m.onnx.data"));
    assertRefused(withData, "external data file 'm.onnx.data' not found");
  }

  @Test
  void neverOverwritesTheInput() throws IOException {
    Path mnist = dev.whittle.ir.testing.TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    Path copy = Files.copy(mnist, dir.resolve("in.onnx"));
    byte[] before = Files.readAllBytes(copy);
    CliRun r = CliRun.of("convert", copy.toString(), copy.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("refusing to write over an input file"), r.err());
    assertTrue(Arrays.equals(before, Files.readAllBytes(copy)));
  }

  @Test
  void usageErrorsAreNotBadInput() {
    CliRun r = CliRun.of("convert", "only-one-argument.onnx");
    assertEquals(64, r.exitCode(), r.err());
  }

  @Test
  void helpListsTheCommands() {
    CliRun r = CliRun.of("--help");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().contains("inspect") && r.out().contains("convert"), r.out());
  }
}
