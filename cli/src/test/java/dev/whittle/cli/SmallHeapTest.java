package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights stay memory-mapped: converting the 90 MB MiniLM model works in a JVM limited to a
 * 128 MB heap (a separate process, so the limit is real).
 */
class SmallHeapTest {
  @TempDir Path dir;

  @Test
  void convertsMiniLmWith128MbOfHeap() throws IOException, InterruptedException {
    Path model = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx");
    Path out = dir.resolve("minilm.onnx");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "-Xmx128m", "--sun-misc-unsafe-memory-access=allow",
        "-cp", System.getProperty("java.class.path"), WhittleCli.class.getName(), "convert", model.toString(), out.toString()))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "convert did not finish");
    assertEquals(0, p.exitValue(), output);
    assertTrue(Files.size(out) > 90_000_000L, output);
  }
}
