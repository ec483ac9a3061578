package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;

/**
 * The explicit list of every op family Whittle implements. Adding a family is one line here; each
 * family registers its ops (kernel factory plus type inference) in its own {@code register}.
 */
public final class StandardOps {
  private StandardOps() {}

  public static OpRegistry registerAll(OpRegistry r) {
    BasicOps.register(r);
    MathOps.register(r);
    TensorOps.register(r);
    ReductionOps.register(r);
    ControlFlowOps.register(r);
    NnOps.register(r);
    ImageOps.register(r);
    SignalOps.register(r);
    TransformerOps.register(r);
    LossOps.register(r);
    TrainingOps.register(r);
    TextOps.register(r);
    MlOps.register(r);
    return r;
  }
}
