package dev.whittle.ir.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the test assets: the shared folder beside the repository ({@code ../shared}: ONNX backend
 * test data, small models, MNIST) and the models the build fetches from Maven Central
 * ({@code models/target/onnx}). Tests that need an absent asset are skipped with a message, never
 * failed: a user's fresh clone has no {@code ../shared}. Shared with other modules as a test-jar.
 */
public final class TestAssets {
  private TestAssets() {}

  /** The shared folder, or the calling test is skipped. */
  public static Path shared() {
    String prop = System.getProperty("whittle.shared.dir");
    for (Path p : new Path[] {prop == null ? null : Path.of(prop), Path.of("../../shared"), Path.of("../shared")}) {
      if (p != null && Files.isDirectory(p.resolve("onnx-node-tests"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    Assumptions.abort("../shared (ONNX backend test data, small models, MNIST) is absent; skipping");
    throw new IllegalStateException("unreachable");
  }

  /** A model fetched by the build, e.g. {@code minilm/all-minilm-l6-v2.onnx}, or the test is skipped. */
  public static Path fetchedModel(String relative) {
    String prop = System.getProperty("whittle.models.dir");
    for (Path dir : new Path[] {prop == null ? null : Path.of(prop), Path.of("../models/target/onnx")}) {
      if (dir != null && Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative).toAbsolutePath().normalize();
      }
    }
    Assumptions.abort(relative + " is not in models/target/onnx; build the models module (mvn install) to fetch it");
    throw new IllegalStateException("unreachable");
  }
}
