package dev.whittle.pruning.training;

/**
 * One node of a {@link TrainableGraph}: computes its outputs from its inputs' slots on a tape, and
 * adds the gradients of its inputs (those that need one) given its output's gradient.
 */
interface Step {
  void forward(Tape t);

  /** Called only when the output's gradient exists ({@link Tape#gradIfAny}). */
  void backward(Tape t);
}
