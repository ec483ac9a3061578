package dev.whittle.runtime;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs a model in pure Java.
 *
 * <pre>{@code
 * try (Session s = Session.open(model, SessionOptions.defaults())) {
 *   Map<String, Tensor> out = s.run(Map.of("x", Tensor.wrapFloats(new long[] {1, 3}, data)));
 * }
 * }</pre>
 *
 * <p>Thread safety: {@link #run} may be called from several threads at once. Kernels are prepared
 * once when the session opens and hold no per-run state; each run has its own value frame.
 *
 * <p>Opening a session fails, listing every op at once, when the model uses ops Whittle cannot run.
 */
public final class Session implements AutoCloseable {
  private final Graph graph;
  private final ExecutionPlan plan;
  private final ForkJoinPool pool;

  private Session(Graph graph, ExecutionPlan plan, ForkJoinPool pool) {
    this.graph = graph;
    this.plan = plan;
    this.pool = pool;
  }

  public static Session open(Model model) {
    return open(model, SessionOptions.defaults());
  }

  public static Session open(Model model, SessionOptions options) {
    try {
      return open(model.graph(), new ExecutionPlan.Compiler(options.registry(), model.opsetImports(), model.functions()), options);
    } catch (WhittleException e) {
      throw model.source() == null ? e : e.inFile(model.source());
    }
  }

  /** Opens a session over a graph with the given opset imports (domain to version). */
  public static Session open(Graph graph, Map<String, Long> opsets, SessionOptions options) {
    return open(graph, new ExecutionPlan.Compiler(options.registry(), opsets), options);
  }

  private static Session open(Graph graph, ExecutionPlan.Compiler compiler, SessionOptions options) {
    ExecutionPlan plan = compiler.compile(graph);
    if (!compiler.unsupported().isEmpty()) {
      throw WhittleException.builder("unsupported ops: " + String.join("; ", compiler.unsupported()))
          .expected("ops Whittle's runtime implements").build();
    }
    ForkJoinPool pool = options.threads() > 1 ? new ForkJoinPool(options.threads()) : null;
    return new Session(graph, plan, pool);
  }

  /** Graph inputs a caller may feed (initializer-backed inputs are optional). */
  public List<Value> inputs() {
    return graph.inputs();
  }

  public List<Value> outputs() {
    return graph.outputs();
  }

  /** Runs with tensor inputs and returns the tensor outputs by name. */
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    Map<String, Object> out = runValues(new LinkedHashMap<>(inputs), RunOptions.NONE);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : out.entrySet()) {
      if (!(e.getValue() instanceof Tensor t)) {
        throw new WhittleException("output '" + e.getKey() + "' is a " + e.getValue() + ", not a tensor; use runValues");
      }
      tensors.put(e.getKey(), t);
    }
    return tensors;
  }

  /**
   * Runs with any ONNX values (tensors, {@link SequenceValue}s, {@link OptionalValue}s) and
   * options such as taps; returns outputs by name in declaration order.
   */
  public Map<String, Object> runValues(Map<String, ?> inputs, RunOptions options) {
    List<Value> declared = graph.inputs();
    for (String name : inputs.keySet()) {
      if (declared.stream().noneMatch(v -> v.name().equals(name))) {
        throw WhittleException.builder("unknown input '" + name + "'")
            .expected("one of " + declared.stream().map(Value::name).toList()).build();
      }
    }
    Object[] feeds = new Object[declared.size()];
    for (int i = 0; i < feeds.length; i++) {
      Value v = declared.get(i);
      Object given = inputs.get(v.name());
      if (given == null) {
        if (!v.isInitializer()) {
          throw WhittleException.builder("missing input '" + v.name() + "'")
              .expected(v.type() == null ? "a value" : v.type().toString()).build();
        }
        continue;
      }
      check(v, given);
      feeds[i] = given;
    }
    Frame frame = new Frame(null);
    Object[] results = plan.execute(feeds, frame, new RunContext(frame, pool, options));
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < results.length; i++) {
      out.put(graph.outputs().get(i).name(), results[i]);
    }
    return out;
  }

  /** Refuses an input whose element type or fixed dimensions contradict the declaration. */
  private static void check(Value declared, Object given) {
    if (!(declared.type() instanceof Type.TensorType tt)) {
      return;
    }
    if (!(given instanceof Tensor t)) {
      throw WhittleException.builder("input '" + declared.name() + "' has the wrong kind of value")
          .expected(tt.toString()).found(given.getClass().getSimpleName()).build();
    }
    if (t.dtype() != tt.elementType()) {
      throw WhittleException.builder("input '" + declared.name() + "' has the wrong element type")
          .expected(tt.toString()).found(t.dtype().displayName() + Shape.format(t.dims())).build();
    }
    Shape shape = tt.shape();
    if (!shape.hasRank()) {
      return;
    }
    boolean ok = shape.rank() == t.rank();
    for (int d = 0; ok && d < t.rank(); d++) {
      Dim dim = shape.dim(d);
      ok = !dim.isFixed() || dim.value() == t.dim(d);
    }
    if (!ok) {
      throw WhittleException.builder("input '" + declared.name() + "' has a shape that contradicts the model")
          .expected(tt.toString()).found(t.dtype().displayName() + Shape.format(t.dims())).build();
    }
  }

  /** Names of ops (domain::Op) the given graph uses that the registry lacks, with subgraphs. */
  public static List<String> unsupportedOps(Model model, OpRegistry registry) {
    ExecutionPlan.Compiler compiler = new ExecutionPlan.Compiler(registry, model.opsetImports(), model.functions());
    try {
      compiler.compile(model.graph());
    } catch (WhittleException e) {
      // a kernel that refuses its attributes is not an unsupported op; report only what is missing
    }
    return new ArrayList<>(compiler.unsupported());
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
