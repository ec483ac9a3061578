package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.report.Json;
import dev.whittle.ir.report.ModelSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code whittle inspect}: what a model holds, and what is structurally wrong with it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Show what a model holds and what is structurally wrong with it.", "",
        "Prints the header, inputs and outputs, node counts (main graph and with subgraphs), the op-type",
        "histogram, parameters by element type, external data files and validation problems.",
        "Exit code 1 when validation finds errors."})
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file to inspect.")
  Path model;

  @Option(names = "--json", description = "Print the facts as JSON instead of text.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Model m = OnnxReader.read(model);
    ModelSummary s = ModelSummary.of(m);
    List<String> problems = Validation.problems(m);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("file", model.toString());
      map.putAll(s.toMap());
      map.put("problems", problems);
      out.print(Json.write(map));
    } else {
      printText(out, s, problems);
    }
    out.flush();
    return problems.stream().anyMatch(p -> p.startsWith("ERROR")) ? 1 : 0;
  }

  private void printText(PrintWriter out, ModelSummary s, List<String> problems) {
    out.printf("Model:      %s%n", model);
    out.printf("IR version: %d%n", s.irVersion());
    StringBuilder opsets = new StringBuilder();
    s.opsets().forEach((d, v) -> opsets.append(opsets.length() == 0 ? "" : ", ").append(d.isEmpty() ? "ai.onnx" : d).append(' ').append(v));
    out.printf("Opsets:     %s%n", opsets);
    out.printf("Producer:   %s%n", s.producer().isEmpty() ? "(none)" : s.producer());
    out.println("Inputs:");
    s.inputs().forEach(i -> out.println("  " + i));
    out.println("Outputs:");
    s.outputs().forEach(o -> out.println("  " + o));
    out.printf("Nodes:      %d in the main graph, %d including %d subgraph(s)%n", s.nodes(), s.nodesWithSubgraphs(), s.subgraphs());
    if (s.functions() > 0) {
      out.printf("Functions:  %d%n", s.functions());
    }
    out.println("Op types:");
    s.opTypes().entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue() != 0 ? b.getValue() - a.getValue() : a.getKey().compareTo(b.getKey()))
        .forEach(e -> out.printf("  %-28s %6d%n", e.getKey(), e.getValue()));
    out.printf("Parameters: %,d (%s)%n", s.parameters(), Sizes.human(s.parameterBytes()));
    s.parametersByType().forEach((t, v) -> out.printf("  %-10s %,14d  %s%n", t, v[0], Sizes.human(v[1])));
    out.printf("External data: %s%n", s.externalDataFiles().isEmpty() ? "none" : String.join(", ", s.externalDataFiles()));
    if (problems.isEmpty()) {
      out.println("Validation: no problems found");
    } else {
      out.println("Validation: " + problems.size() + " problem(s)");
      problems.forEach(p -> out.println("  " + p));
    }
  }
}
