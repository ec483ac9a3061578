package dev.whittle.verify;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the ONNX backend suites survives read, write and re-read with an equal IR and
 * deterministic bytes, and wherever ONNX Runtime runs the original, the written model gives
 * bit-identical outputs.
 */
class RoundTripSuiteTest {
  private static final List<String> SUITES = List.of("node", "simple", "pytorch-converted", "pytorch-operator", "light");
  private static final Map<String, Integer> SKIPPED = new TreeMap<>();
  private static int compared;
  private static int roundTripped;

  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> everyCaseRoundTrips() throws IOException {
    Path root = TestAssets.shared().resolve("onnx-node-tests");
    List<Path> cases = new ArrayList<>();
    for (String suite : SUITES) {
      try (Stream<Path> s = Files.list(root.resolve(suite))) {
        s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().forEach(cases::add);
      }
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getParent().getFileName() + "/" + c.getFileName(), () -> check(c)));
  }

  private static void check(Path caseDir) throws IOException {
    Path dir = Files.createDirectories(work.resolve(caseDir.getParent().getFileName() + "-" + caseDir.getFileName()));
    Path original = caseDir.resolve("model.onnx");
    Path written = RoundTrip.writeAndCheck(original, dir);
    roundTripped++;
    Map<String, Tensor> inputs = tensorInputs(OnnxReader.read(original), caseDir.resolve("test_data_set_0"));
    if (inputs == null) {
      return;
    }
    try (OrtRunner ort = OrtRunner.open(original)) {
      ort.run(inputs);
    } catch (WhittleException e) {
      skip("ONNX Runtime cannot run the original");
      return;
    }
    RoundTrip.assertSameOutputsInOrt(original, written, inputs);
    compared++;
  }

  /** test_data_set inputs as tensors, or null (and a recorded reason) when they are not all tensors. */
  private static Map<String, Tensor> tensorInputs(Model m, Path dataSet) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    int k = 0;
    for (Value v : m.graph().inputs()) {
      if (v.isInitializer()) {
        continue;
      }
      Path f = dataSet.resolve("input_" + k++ + ".pb");
      if (!Files.exists(f)) {
        continue;
      }
      if (!(v.type() instanceof Type.TensorType)) {
        skip("non-tensor inputs");
        return null;
      }
      inputs.put(v.name(), OnnxReader.readTensor(f));
    }
    return inputs;
  }

  private static synchronized void skip(String reason) {
    SKIPPED.merge(reason, 1, Integer::sum);
  }

  @AfterAll
  static void summary() {
    System.out.println("round trip: " + roundTripped + " cases re-read equal and deterministic; " + compared
        + " compared bit-identical in ONNX Runtime; not compared: " + SKIPPED);
  }
}
