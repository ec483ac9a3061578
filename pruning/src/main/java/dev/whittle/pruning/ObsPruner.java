package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Second-order pruning, layer by layer in the manner of the optimal brain surgeon as swept by
 * SparseGPT. For a layer with inputs X_p in the model being pruned and X_o in the original model, the
 * goal is ‖X_p·W − X_o·W₀‖² (the original layer's outputs, bias included as a constant input; for a
 * MatMul feeding a residual Add, plus what the residual stream lost upstream: {@link LayerFit#residualShift}). With
 * H = X_pᵀX_p + λI, that equals ‖X_p(W − W*)‖² + const for the dense refit W* = H⁻¹(X_pᵀX_o·W₀ + λW₀)
 * (damped toward W₀ so that directions the calibration data does not reach keep their weights).
 * Removing weight q from W* then costs w_q²/[H⁻¹]_qq and the best correction of the others is
 * −w_q/[H⁻¹]_qq · H⁻¹[:, q]. Inputs are fixed one at a time in order; for each block of {@link #BLOCK}
 * inputs the weights (all outputs at once) of least w²/U_ii² go, where UᵀU = H⁻¹
 * ({@link InverseFactor}), and the error each fixed input leaves is pushed onto the inputs not yet
 * fixed — last of all the bias, which is never pruned. Layers are processed in execution order, each
 * on the inputs the already pruned layers above it produce, so later layers compensate for earlier ones.
 *
 * <p>Layers whose inputs cannot be formed into rows ({@link LayerRows#supported}) fall back to
 * magnitude pruning.
 */
final class ObsPruner {
  /** Inputs fixed per mask decision: wide enough to let outputs differ in sparsity, narrow enough to adapt. */
  static final int BLOCK = 128;
  /**
   * λ as a fraction of the mean diagonal of XᵀX. SparseGPT uses 0.01 with hundreds of thousands of
   * calibration rows; with a few thousand (MiniLM on 236 sentences) 0.1 measured better: 0.939 against
   * 0.931 mean sentence-embedding cosine at 50%, 0.910 against 0.893 on 16 sentences.
   */
  static final double DAMPING = 0.1;

  private final Model original;
  private final List<Map<String, Tensor>> calibration;

  ObsPruner(Model original, List<Map<String, Tensor>> calibration) {
    this.original = original;
    this.calibration = calibration;
  }

  /**
   * Prunes the selected layers of {@code model} in place to the options' sparsity (per layer; 2:4
   * within every four inputs), keeping weights pruned in {@code previous} pruned, and returns the masks.
   */
  Map<String, boolean[]> prune(Model model, PruningOptions o, Map<String, boolean[]> previous) {
    if (o.scope() == PruningOptions.Scope.GLOBAL && o.pattern() == PruningOptions.Pattern.UNSTRUCTURED) {
      throw WhittleException.builder("second-order (obs) pruning ranks weights within each layer")
          .expected("--scope layer").found("--scope global").build();
    }
    Map<String, boolean[]> masks = new LinkedHashMap<>();
    List<PrunableLayer> layers = MagnitudePruner.selected(model, o);
    // layers reading the same value (attention's Q, K and V) share one capture
    Map<String, List<PrunableLayer>> byInput = new LinkedHashMap<>();
    for (PrunableLayer l : layers) {
      if (LayerRows.supported(l)) {
        byInput.computeIfAbsent(l.node().input(0).name(), k -> new ArrayList<>()).add(l);
      } else {
        masks.putAll(MagnitudePruner.masks(model, o.withInclude(java.util.Set.of(l.name())), previous));
      }
    }
    // both captured as the sweep goes: only the current layer's inputs are held
    SequentialCapture captures = new SequentialCapture(calibration);
    SequentialCapture originals = new SequentialCapture(calibration);
    for (List<PrunableLayer> group : byInput.values()) {
      String input = group.getFirst().node().input(0).name();
      List<Tensor> inputs = captures.capture(model, input);
      List<Tensor> originalInputs = originals.capture(original, input);
      for (PrunableLayer l : group) {
        List<Tensor> shift = LayerFit.residualShift(l, inputs, model, captures, original, originals);
        masks.put(l.name(), pruneLayer(model, l, inputs, originalInputs, shift, o, previous.get(l.name())));
      }
    }
    return masks;
  }

  private boolean[] pruneLayer(Model model, PrunableLayer l, List<Tensor> pruned, List<Tensor> orig, List<Tensor> shift,
      PruningOptions o, boolean[] before) {
    int k = l.k();
    int n = l.n();
    Value biasValue = LayerFit.bias(l);
    boolean withBias = biasValue != null;
    int dim = k + (withBias ? 1 : 0);
    LayerRows rows = new LayerRows(l);
    double[][][] gc = LayerInputs.grams(rows, pruned, rows, orig, withBias);
    double[][] h = gc[0];
    double[][] cross = gc[1];
    double mean = 0;
    for (int i = 0; i < k; i++) {
      mean += h[i][i];
    }
    mean = Math.max(mean / k, 1e-12);
    double[] added = new double[dim];
    for (int i = 0; i < dim; i++) {
      // an input that was always zero carries no information: unit curvature keeps H invertible
      added[i] = (h[i][i] == 0 ? mean : 0) + DAMPING * mean;
      h[i][i] += added[i];
    }
    double[][] u = InverseFactor.of(h);
    // W₀ (original weights, bias row last) as [outputs][inputs]
    float[] flat0 = original.graph().value(l.name()).initializer().toFloatArray();
    float[] b0 = withBias ? original.graph().value(biasValue.name()).initializer().toFloatArray() : null;
    double[][] w0 = new double[n][dim];
    boolean[][] wasPruned = new boolean[n][dim];
    for (int col = 0; col < n; col++) {
      for (int row = 0; row < k; row++) {
        w0[col][row] = flat0[l.index(row, col)];
        wasPruned[col][row] = before != null && !before[l.index(row, col)];
      }
      if (withBias) {
        w0[col][k] = b0[col];
      }
    }
    double[][] shifted = shift == null ? null : LayerFit.shiftProducts(rows, pruned, shift, n, withBias);
    double[][] w = denseRefit(cross, u, w0, added, shifted);
    boolean[][] gone = sweep(w, u, wasPruned, o.withSparsity(o.sparsityOf(l)), k);
    boolean[] keep = new boolean[flat0.length];
    float[] out = new float[flat0.length];
    float[] bias = withBias ? new float[n] : null;
    for (int col = 0; col < n; col++) {
      for (int row = 0; row < k; row++) {
        int i = l.index(row, col);
        keep[i] = !gone[col][row];
        out[i] = keep[i] ? (float) w[col][row] : 0f;
      }
      if (withBias) {
        bias[col] = (float) w[col][k];
      }
    }
    Value v = model.graph().value(l.name());
    model.graph().setInitializer(v, Tensor.ofFloats(v.initializer().dims(), out));
    if (withBias) {
      Value bv = model.graph().value(biasValue.name());
      model.graph().setInitializer(bv, Tensor.ofFloats(bv.initializer().dims(), bias));
    }
    return keep;
  }

  /**
   * W* = H⁻¹(C·W₀ + D·W₀ + S) per output, with H⁻¹ = UᵀU, D the diagonal added to H (damping, and
   * unit curvature for inputs the data never reached) and S = X_pᵀ(r_o − r_p) when the layer feeds a
   * residual Add ({@link LayerFit#residualShift}), else 0: the pull is toward W₀, so W* = W₀ when
   * X_p = X_o.
   */
  private static double[][] denseRefit(double[][] cross, double[][] u, double[][] w0, double[] added, double[][] shifted) {
    int dim = u.length;
    double[][] out = new double[w0.length][];
    double[] rhs = new double[dim];
    double[] tmp = new double[dim];
    for (int r = 0; r < w0.length; r++) {
      double[] wr = w0[r];
      for (int i = 0; i < dim; i++) {
        double s = added[i] * wr[i];
        double[] ci = cross[i];
        for (int j = 0; j < dim; j++) {
          s += ci[j] * wr[j];
        }
        rhs[i] = s + (shifted == null ? 0 : shifted[i][r]);
      }
      // tmp = U·rhs, then out = Uᵀ·tmp
      for (int i = 0; i < dim; i++) {
        double s = 0;
        double[] ui = u[i];
        for (int j = i; j < dim; j++) {
          s += ui[j] * rhs[j];
        }
        tmp[i] = s;
      }
      double[] res = new double[dim];
      for (int i = 0; i < dim; i++) {
        double t = tmp[i];
        double[] ui = u[i];
        for (int j = i; j < dim; j++) {
          res[j] += ui[j] * t;
        }
      }
      out[r] = res;
    }
    return out;
  }

  /**
   * The sweep over inputs: w is [outputs][inputs] and is updated in place; returns which weights were
   * pruned. Weights pruned before stay pruned; inputs from {@code prunable} on (the bias) are never pruned.
   */
  static boolean[][] sweep(double[][] w, double[][] u, boolean[][] wasPruned, PruningOptions o, int prunable) {
    int n = w.length;
    int k = u.length;
    boolean[][] pruned = new boolean[n][k];
    boolean twoFour = o.pattern() == PruningOptions.Pattern.TWO_FOUR;
    double[][] err = new double[n][BLOCK];
    for (int i1 = 0; i1 < k; i1 += BLOCK) {
      int i2 = Math.min(k, i1 + BLOCK);
      if (!twoFour) {
        chooseBlock(w, u, wasPruned, pruned, i1, Math.min(i2, prunable), o.sparsity());
      }
      for (int i = i1; i < i2; i++) {
        if (twoFour && (i - i1) % 4 == 0 && i < prunable) {
          chooseTwoOfFour(w, u, wasPruned, pruned, i, Math.min(Math.min(i + 4, i2), prunable));
        }
        double d = u[i][i];
        double[] ui = u[i];
        for (int r = 0; r < n; r++) {
          double[] wr = w[r];
          double q = pruned[r][i] ? 0 : wr[i];
          double e = (wr[i] - q) / d;
          err[r][i - i1] = e;
          if (e != 0) {
            for (int j = i + 1; j < i2; j++) {
              wr[j] -= e * ui[j];
            }
          }
          wr[i] = q;
        }
      }
      // the block's errors move onto the inputs after it
      for (int r = 0; r < n; r++) {
        double[] wr = w[r];
        double[] er = err[r];
        for (int i = i1; i < i2; i++) {
          double e = er[i - i1];
          if (e == 0) {
            continue;
          }
          double[] ui = u[i];
          for (int j = i2; j < k; j++) {
            wr[j] -= e * ui[j];
          }
        }
      }
    }
    return pruned;
  }

  /** Of the block's weights (every output, inputs i1..i2), the round(s·count) of least w²/U_ii² are pruned; earlier ones first. */
  private static void chooseBlock(double[][] w, double[][] u, boolean[][] wasPruned, boolean[][] pruned, int i1, int i2,
      double sparsity) {
    int n = w.length;
    int width = i2 - i1;
    if (width <= 0) {
      return;
    }
    double[] score = new double[n * width];
    for (int r = 0; r < n; r++) {
      for (int i = i1; i < i2; i++) {
        double d = u[i][i];
        score[r * width + i - i1] = wasPruned[r][i] ? -1 : w[r][i] * w[r][i] / (d * d);
      }
    }
    int count = (int) Math.round(sparsity * score.length);
    if (count == 0) {
      copyEarlier(wasPruned, pruned, i1, i2);
      return;
    }
    double[] sorted = score.clone();
    Arrays.sort(sorted);
    double threshold = sorted[count - 1];
    // ties at the threshold: earliest positions go first, exactly count in all
    int below = 0;
    for (double s : score) {
      below += s < threshold ? 1 : 0;
    }
    int tiesToTake = count - below;
    for (int p = 0; p < score.length; p++) {
      boolean take = score[p] < threshold || (score[p] == threshold && tiesToTake-- > 0);
      pruned[p / width][i1 + p % width] = take || wasPruned[p / width][i1 + p % width];
    }
  }

  private static void copyEarlier(boolean[][] wasPruned, boolean[][] pruned, int i1, int i2) {
    for (int r = 0; r < pruned.length; r++) {
      System.arraycopy(wasPruned[r], i1, pruned[r], i1, i2 - i1);
    }
  }

  /** 2:4: of inputs i..end (up to four) of each output, the two of least w²/U_ii² are pruned. */
  private static void chooseTwoOfFour(double[][] w, double[][] u, boolean[][] wasPruned, boolean[][] pruned, int i, int end) {
    int size = end - i;
    int drop = size - Math.min(2, size);
    for (int r = 0; r < w.length; r++) {
      Integer[] idx = new Integer[size];
      double[] s = new double[size];
      for (int j = 0; j < size; j++) {
        idx[j] = j;
        double d = u[i + j][i + j];
        s[j] = wasPruned[r][i + j] ? -1 : w[r][i + j] * w[r][i + j] / (d * d);
      }
      Arrays.sort(idx, (a, b) -> Double.compare(s[a], s[b]));
      for (int j = 0; j < drop; j++) {
        pruned[r][i + idx[j]] = true;
      }
    }
  }
}
