package dev.whittle.pruning.training;

/** A step with one input that may need a gradient and one output: slots and gradient bookkeeping are shared. */
abstract class UnaryStep implements Step {
  /** The input's slot. */
  protected final int x;
  /** The output's slot. */
  protected final int y;

  UnaryStep(int x, int y) {
    this.x = x;
    this.y = y;
  }

  /** Adds to {@code dx} the input's gradient, given the output's gradient {@code dy}. */
  abstract void backward(Tape t, float[] dx, float[] dy);

  @Override
  public final void backward(Tape t) {
    float[] dx = t.grad(x);
    if (dx != null) {
      backward(t, dx, t.gradIfAny(y));
    }
  }
}
