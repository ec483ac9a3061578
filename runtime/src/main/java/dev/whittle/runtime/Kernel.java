package dev.whittle.runtime;

/**
 * The computation of one node, prepared once per node when a session is opened (attributes parsed,
 * constant weights packed) and then run for every inference. Kernels must be stateless once
 * created: a session runs them from several threads at once.
 */
@FunctionalInterface
public interface Kernel {
  /**
   * @param inputs one entry per node input: a {@link dev.whittle.ir.Tensor}, {@link SequenceValue}
   *     or {@link OptionalValue}; null for an omitted optional input
   * @return one entry per node output (null for an output nobody asked for is allowed)
   */
  Object[] run(Object[] inputs, RunContext ctx);
}
