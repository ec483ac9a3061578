package dev.whittle.runtime;

/**
 * Options for opening a {@link Session}.
 *
 * @param threads threads one op may use (1 = single-threaded, the default)
 * @param registry the op implementations to use
 */
public record SessionOptions(int threads, OpRegistry registry) {
  public SessionOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
  }

  public static SessionOptions defaults() {
    return new SessionOptions(1, OpRegistry.standard());
  }

  public SessionOptions withThreads(int n) {
    return new SessionOptions(n, registry);
  }
}
