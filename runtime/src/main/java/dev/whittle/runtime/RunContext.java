package dev.whittle.runtime;

import java.util.concurrent.ForkJoinPool;

/**
 * Per-run state handed to kernels: the values in scope (for subgraphs that read outer values) and
 * the thread pool for intra-op parallelism. One per {@code Session.run} call.
 */
public final class RunContext {
  private final Frame frame;
  private final ForkJoinPool pool;
  private final RunOptions options;

  RunContext(Frame frame, ForkJoinPool pool, RunOptions options) {
    this.frame = frame;
    this.pool = pool;
    this.options = options;
  }

  /** Threads kernels may use for one op (1 means: run on the calling thread). */
  public int threads() {
    return pool == null ? 1 : pool.getParallelism();
  }

  /** The pool for intra-op parallelism, or null when running single-threaded. */
  public ForkJoinPool pool() {
    return pool;
  }

  /**
   * Runs a subgraph with the given inputs (one per subgraph input); values of enclosing graphs are
   * visible to it. Returns one value per subgraph output.
   */
  public Object[] run(SubgraphPlan subgraph, Object[] inputs) {
    Frame child = new Frame(frame);
    // Taps observe the main graph only: subgraph value names may repeat per iteration.
    return subgraph.plan.execute(inputs, child, new RunContext(child, pool, null));
  }

  Frame frame() {
    return frame;
  }

  RunOptions options() {
    return options;
  }
}
