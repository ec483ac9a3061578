package dev.whittle.runtime;

/** Creates the {@link Kernel} for one node; reads and checks attributes up front. */
@FunctionalInterface
public interface OpFactory {
  Kernel create(NodeContext node);
}
