package dev.whittle.cli;

import dev.whittle.ir.report.Json;
import dev.whittle.runtime.conformance.ConformanceRunner;
import dev.whittle.runtime.conformance.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code whittle conformance}: runs an ONNX backend test suite folder through Whittle's runtime. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
    description = {"Run every case folder of an ONNX backend test suite and compare with its expected outputs.", "",
        "Each case folder holds model.onnx and test_data_set_N/{input_K.pb,output_K.pb}. Ends with the line",
        "'N passed, M failed, K skipped'. Exit code 1 when a case fails."})
final class ConformanceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SUITE_DIR", description = "Folder whose subfolders are test cases.")
  Path suite;

  @Option(names = "--engine", defaultValue = "whittle", paramLabel = "ENGINE",
      description = "whittle (default) or ort (ONNX Runtime, tensor cases only).")
  String engine;

  @Option(names = "--filter", paramLabel = "REGEX", description = "Only cases whose folder name contains a match.")
  String filter;

  @Option(names = "--json", description = "Print one JSON document with every case's result.")
  boolean json;

  @Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default ${DEFAULT-VALUE}, the backend suite's).")
  double rtol;

  @Option(names = "--atol", defaultValue = "1e-7", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
  double atol;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Engine e = Engines.named(spec.commandLine(), engine, 1);
    ConformanceRunner runner = new ConformanceRunner(e, rtol, atol);
    Pattern p = filter == null ? null : Pattern.compile(filter);
    Map<ConformanceRunner.Status, Integer> counts = new EnumMap<>(ConformanceRunner.Status.class);
    List<Map<String, Object>> results = new ArrayList<>();
    PrintWriter out = spec.commandLine().getOut();
    for (Path c : ConformanceRunner.cases(suite)) {
      if (p != null && !p.matcher(c.getFileName().toString()).find()) {
        continue;
      }
      ConformanceRunner.CaseResult r = runner.run(c);
      counts.merge(r.status(), 1, Integer::sum);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("case", r.name());
        m.put("status", r.status().name());
        m.put("detail", r.detail());
        results.add(m);
      } else {
        out.printf("%-4s %s%s%n", r.status(), r.name(), r.status() == ConformanceRunner.Status.PASS ? "" : "  " + r.detail());
      }
    }
    int passed = counts.getOrDefault(ConformanceRunner.Status.PASS, 0);
    int failed = counts.getOrDefault(ConformanceRunner.Status.FAIL, 0);
    int skipped = counts.getOrDefault(ConformanceRunner.Status.SKIP, 0);
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("suite", suite.toString());
      doc.put("passed", passed);
      doc.put("failed", failed);
      doc.put("skipped", skipped);
      doc.put("cases", results);
      out.print(Json.write(doc));
    }
    out.printf("%d passed, %d failed, %d skipped%n", passed, failed, skipped);
    out.flush();
    return failed > 0 ? 1 : 0;
  }
}
