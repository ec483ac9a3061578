package dev.whittle.ir.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.ir.onnx.OnnxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.whittle.ir.testing.TestAssets;
import org.junit.jupiter.api.Test;

/** Every real model and every ONNX backend case is structurally valid: the checker must agree. */
class RealModelsCheckTest {
  @Test
  void sharedModelsAndBackendCasesHaveNoErrors() throws IOException {
    Path shared = TestAssets.shared();
    List<String> errors = new ArrayList<>();
    int checked = 0;
    for (Path root : List.of(shared.resolve("models"), shared.resolve("onnx-node-tests"))) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
          checked++;
          ModelChecker.check(OnnxReader.read(p)).stream()
              .filter(pr -> pr.severity() == Problem.Severity.ERROR)
              .forEach(pr -> errors.add(p + ": " + pr));
        }
      }
    }
    System.out.println("checked " + checked + " models");
    assertEquals(List.of(), errors);
  }
}
