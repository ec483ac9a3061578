package dev.whittle.ir.report;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Facts about a model for {@code whittle inspect} and reports: header, inputs and outputs, node
 * counts (main graph and with subgraphs), op-type histogram, parameters and bytes by element type,
 * external data files.
 */
public record ModelSummary(
    long irVersion,
    Map<String, Long> opsets,
    String producer,
    List<String> inputs,
    List<String> outputs,
    int nodes,
    int nodesWithSubgraphs,
    int subgraphs,
    Map<String, Integer> opTypes,
    long parameters,
    long parameterBytes,
    Map<String, long[]> parametersByType,
    List<String> externalDataFiles,
    int functions) {

  public static ModelSummary of(Model m) {
    Counter c = new Counter();
    c.graph(m.graph(), true);
    Map<String, long[]> byType = new TreeMap<>();
    long params = 0;
    long bytes = 0;
    for (Map.Entry<DType, long[]> e : c.byType.entrySet()) {
      byType.put(e.getKey().displayName(), e.getValue());
      params += e.getValue()[0];
      bytes += e.getValue()[1];
    }
    String producer = m.producerName() == null ? "" : m.producerName()
        + (m.producerVersion() == null ? "" : " " + m.producerVersion());
    return new ModelSummary(m.irVersion(), new LinkedHashMap<>(m.opsetImports()), producer,
        describe(m.graph().inputs()), describe(m.graph().outputs()),
        m.graph().nodeCount(), m.graph().nodeCountWithSubgraphs(), c.subgraphs,
        c.opTypes, params, bytes, byType, List.copyOf(new TreeSet<>(c.externalFiles)), m.functions().size());
  }

  private static List<String> describe(List<Value> values) {
    List<String> out = new ArrayList<>();
    for (Value v : values) {
      out.add(v.name() + ": " + (v.type() == null ? "?" : v.type().toString()) + (v.isInitializer() ? " (initializer)" : ""));
    }
    return out;
  }

  /** Plain data for JSON output. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ir_version", irVersion);
    m.put("opsets", opsets);
    m.put("producer", producer);
    m.put("inputs", inputs);
    m.put("outputs", outputs);
    m.put("nodes", nodes);
    m.put("nodes_with_subgraphs", nodesWithSubgraphs);
    m.put("subgraphs", subgraphs);
    m.put("functions", functions);
    m.put("op_types", opTypes);
    m.put("parameters", parameters);
    m.put("parameter_bytes", parameterBytes);
    Map<String, Object> types = new LinkedHashMap<>();
    parametersByType.forEach((k, v) -> types.put(k, Map.of("parameters", v[0], "bytes", v[1])));
    m.put("parameters_by_type", types);
    m.put("external_data_files", externalDataFiles);
    return m;
  }

  private static final class Counter {
    final Map<String, Integer> opTypes = new TreeMap<>();
    final Map<DType, long[]> byType = new TreeMap<>();
    final List<String> externalFiles = new ArrayList<>();
    int subgraphs;

    void graph(Graph g, boolean main) {
      if (!main) {
        subgraphs++;
      }
      for (Value v : g.initializers()) {
        tensor(v.initializer());
      }
      for (Value v : g.sparseInitializers()) {
        tensor(v.sparseInitializer().values());
      }
      for (Node n : g.nodes()) {
        opTypes.merge(n.domain().isEmpty() ? n.opType() : n.domain() + "::" + n.opType(), 1, Integer::sum);
        for (Attribute a : n.attributes().values()) {
          if (a.kind() == Attribute.Kind.TENSOR && a.value() != null) {
            tensor(a.t());
          }
        }
        for (Graph sg : n.subgraphs()) {
          graph(sg, false);
        }
      }
    }

    void tensor(Tensor t) {
      long[] acc = byType.computeIfAbsent(t.dtype(), k -> new long[2]);
      acc[0] += t.elementCount();
      acc[1] += t.byteSize();
      if (t.location() != null) {
        Path f = t.location().file().getFileName();
        if (!externalFiles.contains(f.toString())) {
          externalFiles.add(f.toString());
        }
      }
    }
  }
}
