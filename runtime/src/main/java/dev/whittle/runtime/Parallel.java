package dev.whittle.runtime;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Intra-op parallelism: splits independent work of one op over the session's threads. */
public final class Parallel {
  private Parallel() {}

  /** Runs {@code body} for 0..n-1, in parallel when the run has a pool and there is more than one task. */
  public static void forEach(RunContext rc, int n, IntConsumer body) {
    ForkJoinPool pool = rc == null ? null : rc.pool();
    if (pool == null || n <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
  }

  /** How many blocks to cut {@code rows} into: one per thread, none smaller than {@code minRows}. */
  public static int blocks(RunContext rc, int rows, int minRows) {
    int threads = rc == null ? 1 : rc.threads();
    return Math.max(1, Math.min(threads, rows / Math.max(1, minRows)));
  }
}
