package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.runtime.Profile;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.SessionOptions;
import dev.whittle.runtime.conformance.ConformanceRunner;
import dev.whittle.runtime.conformance.Engine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code whittle run}: runs a model once and summarizes its outputs, or checks it against test data. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a model on given inputs and print each output's shape, statistics and the time.", "",
        "With --test-data DIR, feeds DIR/input_N.pb, compares with DIR/output_N.pb (ONNX backend",
        "tolerances) and exits 0 on a match, 1 on a mismatch."})
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file to run.")
  Path model;

  @Option(names = "--input", paramLabel = "NAME=FILE.pb", description = "An input as a serialized TensorProto (repeatable).")
  Map<String, Path> inputs = new LinkedHashMap<>();

  @Option(names = "--test-data", paramLabel = "DIR", description = "A test_data_set folder to feed and compare with.")
  Path testData;

  @Option(names = "--engine", defaultValue = "whittle", paramLabel = "ENGINE",
      description = "whittle (default) or ort (ONNX Runtime, for comparison).")
  String engine;

  @Option(names = "--threads", defaultValue = "1", description = "Threads per op for Whittle's runtime (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--profile", paramLabel = "RUNS",
      description = "Whittle engine: run RUNS times after one warm-up run and print the time per op type.")
  int profileRuns;

  @Spec CommandSpec spec;

  /** Times each op type over {@code profileRuns} runs of Whittle's runtime (after one warm-up run). */
  private int profile(Model m, Map<String, Object> feeds, PrintWriter out) {
    try (Session s = Session.open(m, SessionOptions.defaults().withThreads(threads))) {
      s.runValues(feeds, RunOptions.NONE);
      Profile p = new Profile();
      long t0 = System.nanoTime();
      for (int i = 0; i < profileRuns; i++) {
        s.runValues(feeds, RunOptions.NONE.profiled(p));
      }
      double total = (System.nanoTime() - t0) / 1e6 / profileRuns;
      out.printf("%.2f ms per run over %d runs%n", total, profileRuns);
      for (Profile.Entry e : p.entries()) {
        out.printf("  %-24s %9.3f ms/run %6.1f%% %6d calls/run%n", e.opType(), e.nanos() / 1e6 / profileRuns,
            100.0 * e.nanos() / 1e6 / profileRuns / total, e.calls() / profileRuns);
      }
      out.flush();
      return 0;
    }
  }

  @Override
  public Integer call() {
    Engine e = Engines.named(spec.commandLine(), engine, threads);
    Model m = OnnxReader.read(model);
    PrintWriter out = spec.commandLine().getOut();
    List<Value> graphInputs = new ArrayList<>();
    for (Value v : m.graph().inputs()) {
      if (!v.isInitializer()) {
        graphInputs.add(v);
      }
    }
    try (Engine.Loaded loaded = e.load(m, model)) {
      if (testData != null) {
        if (!Files.isDirectory(testData)) {
          throw WhittleException.builder("test data folder not found").file(testData).build();
        }
        long t0 = System.nanoTime();
        String problem = new ConformanceRunner(e, 1e-3, 1e-7).runDataSet(loaded, m, graphInputs, testData);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.println(problem == null ? "match (" + ms + " ms)" : "MISMATCH: " + problem);
        out.flush();
        return problem == null ? 0 : 1;
      }
      Map<String, Object> feeds = new LinkedHashMap<>();
      for (Map.Entry<String, Path> in : inputs.entrySet()) {
        feeds.put(in.getKey(), OnnxReader.readTensor(in.getValue()));
      }
      if (profileRuns > 0) {
        return profile(m, feeds, out);
      }
      long t0 = System.nanoTime();
      Map<String, Object> outputs = loaded.run(feeds);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      for (Map.Entry<String, Object> o : outputs.entrySet()) {
        out.println(o.getKey() + ": " + (o.getValue() instanceof Tensor t ? TensorStats.describe(t) : o.getValue()));
      }
      out.printf("time: %d ms (%s)%n", ms, e.name());
      out.flush();
      return 0;
    }
  }
}
