package dev.whittle.runtime.conformance;

import dev.whittle.ir.Model;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.TestDataReader;
import dev.whittle.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs cases of the ONNX backend test layout ({@code model.onnx} and
 * {@code test_data_set_N/input_K.pb, output_K.pb}) through Whittle's runtime.
 */
public final class ConformanceRunner {
  public enum Status { PASS, FAIL, SKIP }

  /** The outcome of one case folder. */
  public record CaseResult(String name, Status status, String detail) {}

  private final Engine engine;
  private final double rtol;
  private final double atol;

  public ConformanceRunner(SessionOptions options) {
    this(Engine.whittle(options), OutputComparison.DEFAULT_RTOL, OutputComparison.DEFAULT_ATOL);
  }

  public ConformanceRunner(Engine engine, double rtol, double atol) {
    this.engine = engine;
    this.rtol = rtol;
    this.atol = atol;
  }

  /** Case folders (those holding a model.onnx) directly under {@code suite}, sorted by name. */
  public static List<Path> cases(Path suite) throws IOException {
    try (Stream<Path> s = Files.list(suite)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
    }
  }

  public CaseResult run(Path caseDir) {
    String name = caseDir.getFileName().toString();
    Model model;
    try {
      model = OnnxReader.read(caseDir.resolve("model.onnx"));
    } catch (WhittleException e) {
      return new CaseResult(name, Status.FAIL, "read: " + e.getMessage());
    }
    List<Value> inputs = new ArrayList<>();
    for (Value v : model.graph().inputs()) {
      if (!v.isInitializer()) {
        inputs.add(v);
      }
    }
    for (Value v : inputs) {
      if (v.type() instanceof Type.MapType || v.type() instanceof Type.SparseTensorType) {
        return new CaseResult(name, Status.SKIP, "input '" + v.name() + "' is a " + v.type() + "; not supported as test data");
      }
    }
    List<Path> dataSets;
    try (Stream<Path> s = Files.list(caseDir)) {
      dataSets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
    } catch (IOException e) {
      return new CaseResult(name, Status.FAIL, "cannot list " + caseDir + ": " + e.getMessage());
    }
    try (Engine.Loaded session = engine.load(model, caseDir.resolve("model.onnx"))) {
      for (Path ds : dataSets) {
        String problem = runDataSet(session, model, inputs, ds);
        if (problem != null) {
          return new CaseResult(name, Status.FAIL, ds.getFileName() + ": " + problem);
        }
      }
    } catch (WhittleException e) {
      return new CaseResult(name, Status.FAIL, e.getMessage());
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      return new CaseResult(name, Status.FAIL, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return new CaseResult(name, Status.PASS, dataSets.size() + " data set(s)");
  }

  /**
   * Runs one data set folder; returns null when every output matches, else what differs. Public
   * for {@code whittle run --test-data}.
   */
  public String runDataSet(Engine.Loaded session, Model model, List<Value> inputs, Path ds) {
    Map<String, Object> feeds = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      Path f = ds.resolve("input_" + i + ".pb");
      if (Files.exists(f)) {
        Value v = inputs.get(i);
        feeds.put(v.name(), RuntimeValues.fromTestData(TestDataReader.read(f, v.type()), v.type()));
      }
    }
    Map<String, Object> out = session.run(feeds);
    List<Value> outputs = model.graph().outputs();
    for (int i = 0; i < outputs.size(); i++) {
      Path f = ds.resolve("output_" + i + ".pb");
      if (!Files.exists(f)) {
        continue;
      }
      Value v = outputs.get(i);
      Object expected = RuntimeValues.fromTestData(TestDataReader.read(f, v.type()), v.type());
      String diff = RuntimeValues.compare(expected, out.get(v.name()), rtol, atol);
      if (diff != null) {
        return "output '" + v.name() + "': " + diff;
      }
    }
    return null;
  }
}
