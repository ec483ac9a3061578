package dev.whittle.pruning.training;

/** A step with one input that may need a gradient and one output: the gradient bookkeeping is shared. */
interface UnaryStep extends Step {
  /** The input's slot. */
  int input();

  /** The output's slot. */
  int output();

  /** Adds to {@code dx} the input's gradient, given the output's gradient {@code dy}. */
  void backward(Tape t, float[] dx, float[] dy);

  @Override
  default void backward(Tape t) {
    float[] dx = t.grad(input());
    if (dx != null) {
      backward(t, dx, t.gradIfAny(output()));
    }
  }
}
