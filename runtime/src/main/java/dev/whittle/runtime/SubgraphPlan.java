package dev.whittle.runtime;

import dev.whittle.ir.Graph;

/** A compiled subgraph that a control-flow kernel runs with {@link RunContext#run(SubgraphPlan, Object[])}. */
public final class SubgraphPlan {
  final ExecutionPlan plan;

  SubgraphPlan(ExecutionPlan plan) {
    this.plan = plan;
  }

  public Graph graph() {
    return plan.graph();
  }

  public int inputCount() {
    return plan.graph().inputs().size();
  }

  public int outputCount() {
    return plan.graph().outputs().size();
  }
}
