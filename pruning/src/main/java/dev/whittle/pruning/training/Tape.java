package dev.whittle.pruning.training;

import java.util.Arrays;

/**
 * One worker's forward values and gradients for a {@link TrainableGraph}, slot by slot (one slot per
 * value of the graph). Parameter gradients accumulate over every sample run on this tape until
 * {@link #zeroGradients()}; activation gradients start from zero at each backward pass. Tapes are
 * not thread-safe: give each worker its own.
 */
public final class Tape {
  final float[][] data;
  final int[][] dims;
  final float[][] grad;
  /** Per step: what its forward pass keeps for its backward pass (unfolded windows, argmax positions). */
  final Object[] saved;
  private final boolean[] needsGrad;
  private final boolean[] parameter;
  private final boolean[] live;

  Tape(int slots, int steps, boolean[] needsGrad, boolean[] parameter) {
    this.data = new float[slots][];
    this.dims = new int[slots][];
    this.grad = new float[slots][];
    this.saved = new Object[steps];
    this.needsGrad = needsGrad;
    this.parameter = parameter;
    this.live = new boolean[slots];
  }

  /** The output array of {@code slot} for dims {@code d}, reusing the last one when its size matches. */
  float[] output(int slot, int[] d) {
    int n = Shapes.size(d);
    float[] a = data[slot];
    if (a == null || a.length != n) {
      a = new float[n];
      data[slot] = a;
    }
    dims[slot] = d;
    return a;
  }

  /**
   * The gradient accumulator of {@code slot} (zeroed on first use in this backward pass), or null
   * when no trainable parameter feeds the value, so nobody needs its gradient.
   */
  float[] grad(int slot) {
    if (!needsGrad[slot]) {
      return null;
    }
    if (!live[slot]) {
      int n = data[slot].length;
      if (grad[slot] == null || grad[slot].length != n) {
        grad[slot] = new float[n];
      } else {
        Arrays.fill(grad[slot], 0f);
      }
      live[slot] = true;
    }
    return grad[slot];
  }

  /** The gradient of {@code slot} if some consumer produced one in this backward pass, else null. */
  float[] gradIfAny(int slot) {
    return live[slot] ? grad[slot] : null;
  }

  /** Starts a backward pass: activation gradients are forgotten, parameter gradients kept. */
  void beginBackward() {
    for (int i = 0; i < live.length; i++) {
      live[i] = parameter[i] && live[i];
    }
  }

  /** Forgets the parameter gradients accumulated so far. */
  public void zeroGradients() {
    Arrays.fill(live, false);
  }
}
