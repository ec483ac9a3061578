package dev.whittle.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where benchmarks find their models: the build's models/target/onnx and ../shared/models. */
final class BenchmarkModels {
  private BenchmarkModels() {}

  static Path fetched(String relative) {
    return find(System.getProperty("whittle.models.dir"), relative, "models/target/onnx", "../models/target/onnx");
  }

  static Path shared(String relative) {
    return find(System.getProperty("whittle.shared.dir"), "models/" + relative, "../shared", "../../shared");
  }

  private static Path find(String configured, String relative, String... defaults) {
    if (configured != null && Files.exists(Path.of(configured, relative))) {
      return Path.of(configured, relative);
    }
    for (String d : defaults) {
      if (Files.exists(Path.of(d, relative))) {
        return Path.of(d, relative);
      }
    }
    throw new IllegalStateException(relative + " not found; run from the repository root after `mvn install`"
        + " (set -Dwhittle.models.dir / -Dwhittle.shared.dir otherwise)");
  }
}
