package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.exception.MaxCountExceededException;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.IterativeLinearSolverEvent;
import org.apache.commons.math3.linear.ConjugateGradient;
import org.apache.commons.math3.linear.RealLinearOperator;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.IterationEvent;
import org.apache.commons.math3.util.IterationListener;

/**
 * Gradient-free retraining by layer-wise reconstruction, a form of distillation from the original
 * model: for each pruned MatMul/Gemm, the layer's inputs X are captured in the ORIGINAL model on the
 * calibration inputs, and its original outputs are Y = X·W₀ (+ b₀). Each output column then refits
 * only its kept weights (and the bias, when the layer has one) to reproduce Y in the least-squares
 * sense: the damped normal equations (X_Sᵀ X_S + λI) w = X_Sᵀ y + λ w₀,S (damping toward the kept
 * original weights) are solved with commons-math3's conjugate gradient, started from the pruned
 * weights. λ is 1e-3 of the mean diagonal of XᵀX.
 * 2-D group-1 Convs are refit on their input windows; other Convs keep their magnitude-pruned weights.
 */
public final class LeastSquaresHook implements RetrainHook {
  private static final double DAMPING = 1e-3;
  private static final int MAX_ITERATIONS = Integer.getInteger("ls.iters", 30);

  private final Model original;
  /** The original model's layer inputs for the last calibration list seen: it does not change between steps. */
  private List<Map<String, Tensor>> capturedFor;
  private Map<String, List<Tensor>> originalInputs;

  public LeastSquaresHook(Model original) {
    this.original = original;
  }

  @Override
  public Map<String, Tensor> retrain(Model pruned, Map<String, boolean[]> masks, int step, List<Map<String, Tensor>> calibration) {
    List<PrunableLayer> layers = new ArrayList<>();
    for (PrunableLayer l : PrunableLayer.find(original)) {
      if (masks.containsKey(l.name()) && LayerRows.supported(l)) {
        layers.add(l);
      }
    }
    if (capturedFor != calibration) {
      // every refittable layer, so any later mask set finds its inputs
      originalInputs = LayerInputs.capture(original, PrunableLayer.find(original).stream().filter(LayerRows::supported).toList(), calibration);
      capturedFor = calibration;
    }
    // layer by layer, in execution order: each layer sees the inputs the already refit layers above it give
    Model work = pruned.copy();
    Map<String, Tensor> updated = new LinkedHashMap<>();
    for (PrunableLayer l : layers) {
      List<Tensor> prunedInputs = LayerInputs.capture(work, List.of(l), calibration).get(l.node().input(0).name());
      Value bias = bias(l);
      float[] w0 = l.weight().initializer().toFloatArray();
      float[] b0 = bias == null ? null : bias.initializer().toFloatArray();
      float[] w = work.graph().value(l.name()).initializer().toFloatArray();
      Fit fit = refit(l, new LayerRows(l), prunedInputs, originalInputs.get(l.node().input(0).name()), w0, b0, w,
          masks.get(l.name()));
      Tensor wt = Tensor.ofFloats(l.weight().initializer().dims(), fit.weights());
      updated.put(l.name(), wt);
      work.graph().setInitializer(work.graph().value(l.name()), wt);
      if (bias != null) {
        Tensor bt = Tensor.ofFloats(bias.initializer().dims(), fit.bias());
        updated.put(bias.name(), bt);
        work.graph().setInitializer(work.graph().value(bias.name()), bt);
      }
    }
    return updated;
  }

  /** The layer's constant bias: Gemm's C of shape [N], or a constant [N] added to a MatMul's output. */
  static Value bias(PrunableLayer l) {
    if (l.node().is("Conv")) {
      Value b = l.node().inputs().size() > 2 ? l.node().input(2) : null;
      return b != null && b.isInitializer() && !b.isGraphInput() && b.initializer().elementCount() == l.n() ? b : null;
    }
    if (l.node().is("Gemm")) {
      Value c = l.node().inputs().size() > 2 ? l.node().input(2) : null;
      boolean plain = l.node().floatAttr("alpha", 1f) == 1f && l.node().floatAttr("beta", 1f) == 1f;
      return c != null && plain && c.isInitializer() && !c.isGraphInput() && isRowVector(c.initializer(), l.n()) ? c : null;
    }
    Value out = l.node().output(0);
    if (out.uses().size() != 1 || !out.uses().getFirst().node().is("Add")) {
      return null;
    }
    Node add = out.uses().getFirst().node();
    Value b = add.input(0) == out ? add.input(1) : add.input(0);
    return b != null && b.isInitializer() && !b.isGraphInput() && isRowVector(b.initializer(), l.n()) ? b : null;
  }

  /** Shape [n] or [1, n]: one value per output, broadcast over rows. */
  private static boolean isRowVector(Tensor t, int n) {
    long[] d = t.dims();
    return t.elementCount() == n && (d.length == 1 || d.length == 2 && d[0] == 1);
  }

  /** RMS of each reduction row's input over the calibration data, per selected layer (by weight name). */
  static Map<String, double[]> inputRms(Model model, List<PrunableLayer> layers, List<Map<String, Tensor>> calibration) {
    List<PrunableLayer> usable = layers.stream().filter(LayerRows::supported).toList();
    Map<String, List<Tensor>> inputs = LayerInputs.capture(model, usable, calibration);
    Map<String, double[]> out = new LinkedHashMap<>();
    for (PrunableLayer l : usable) {
      double[] sum = new double[l.k()];
      long[] count = {0};
      LayerRows rows = new LayerRows(l);
      for (Tensor t : inputs.get(l.node().input(0).name())) {
        rows.forEach(t, r -> {
          for (int i = 0; i < r.length; i++) {
            sum[i] += (double) r[i] * r[i];
          }
          count[0]++;
        });
      }
      for (int i = 0; i < sum.length; i++) {
        sum[i] = count[0] == 0 ? 1 : Math.sqrt(sum[i] / count[0]);
      }
      out.put(l.name(), sum);
    }
    return out;
  }

  private record Fit(float[] weights, float[] bias) {}

  /**
   * Refits one layer. G = X_pᵀX_p over the pruned model's rows and C = X_pᵀX_o against the original
   * model's rows (both augmented with a constant 1 for the bias), so that X_p·w best reproduces the
   * original outputs X_o·w₀ + b₀: the right-hand side is C·(w₀, b₀).
   */
  private static Fit refit(PrunableLayer l, LayerRows rows, List<Tensor> pruned, List<Tensor> original, float[] w0, float[] b0,
      float[] w, boolean[] keep) {
    int k = l.k();
    boolean withBias = b0 != null;
    int dim = k + (withBias ? 1 : 0);
    double[][][] gc = LayerInputs.grams(rows, pruned, original, k, withBias);
    double[][] g = gc[0];
    double[][] cross = gc[1];
    double meanDiag = 0;
    for (int i = 0; i < k; i++) {
      meanDiag += g[i][i];
    }
    double lambda = DAMPING * Math.max(meanDiag / k, 1e-12);
    float[] wOut = w.clone();
    float[] bOut = withBias ? b0.clone() : null;
    for (int col = 0; col < l.n(); col++) {
      // kept rows of this column, plus the bias
      int[] s = keptRows(l, keep, col, withBias);
      if (s.length == 0) {
        continue;
      }
      // right-hand side: C_S,· · (w0, b0) = X_p,Sᵀ y for the original outputs y = X_o w0 + b0
      double[] full = new double[dim];
      for (int i = 0; i < k; i++) {
        full[i] = w0[l.index(i, col)];
      }
      if (withBias) {
        full[k] = b0[col];
      }
      double[] rhs = new double[s.length];
      double[] start = new double[s.length];
      for (int a = 0; a < s.length; a++) {
        double sum = 0;
        double[] ca = cross[s[a]];
        for (int j = 0; j < dim; j++) {
          sum += ca[j] * full[j];
        }
        start[a] = s[a] == k ? bOut[col] : w[l.index(s[a], col)];
        // the damping pulls toward the kept original weights, not toward zero: with few calibration
        // rows (fewer than kept inputs) the fit stays near the magnitude-pruned layer
        rhs[a] = sum + (s[a] == k ? 0 : lambda * w0[l.index(s[a], col)]);
      }
      RealVector solution = solve(new SubMatrix(g, s, lambda, k), new ArrayRealVector(rhs, false), new ArrayRealVector(start, false));
      for (int a = 0; a < s.length; a++) {
        if (s[a] == k) {
          bOut[col] = (float) solution.getEntry(a);
        } else {
          wOut[l.index(s[a], col)] = (float) solution.getEntry(a);
        }
      }
    }
    return new Fit(wOut, bOut);
  }

  /**
   * Conjugate gradient from {@code start}; when it has not converged after {@link #MAX_ITERATIONS}
   * the last iterate is taken (each iterate lowers the error, so it is still an improvement).
   */
  private static RealVector solve(RealLinearOperator a, RealVector b, RealVector start) {
    ConjugateGradient cg = new ConjugateGradient(MAX_ITERATIONS, 1e-7, false);
    RealVector[] last = {start};
    cg.getIterationManager().addIterationListener(new IterationListener() {
      @Override
      public void initializationPerformed(IterationEvent e) {}

      @Override
      public void iterationStarted(IterationEvent e) {}

      @Override
      public void iterationPerformed(IterationEvent e) {
        last[0] = ((IterativeLinearSolverEvent) e).getSolution();
      }

      @Override
      public void terminationPerformed(IterationEvent e) {}
    });
    try {
      return cg.solve(a, b, start);
    } catch (MaxCountExceededException e) {
      return last[0];
    }
  }

  private static int[] keptRows(PrunableLayer l, boolean[] keep, int col, boolean withBias) {
    int count = withBias ? 1 : 0;
    for (int i = 0; i < l.k(); i++) {
      count += keep[l.index(i, col)] ? 1 : 0;
    }
    int[] s = new int[count];
    int at = 0;
    for (int i = 0; i < l.k(); i++) {
      if (keep[l.index(i, col)]) {
        s[at++] = i;
      }
    }
    if (withBias) {
      s[at] = l.k();
    }
    return s;
  }

  /** (G + λI) restricted to the rows and columns {@code s}; the bias entry is not damped. */
  private static final class SubMatrix extends RealLinearOperator {
    private final double[][] g;
    private final int[] s;
    private final double lambda;
    private final int biasIndex;

    SubMatrix(double[][] g, int[] s, double lambda, int biasIndex) {
      this.g = g;
      this.s = s;
      this.lambda = lambda;
      this.biasIndex = biasIndex;
    }

    @Override
    public int getRowDimension() {
      return s.length;
    }

    @Override
    public int getColumnDimension() {
      return s.length;
    }

    @Override
    public RealVector operate(RealVector v) {
      double[] x = v.toArray();
      double[] y = new double[s.length];
      for (int a = 0; a < s.length; a++) {
        double[] ga = g[s[a]];
        double sum = s[a] == biasIndex ? 0 : lambda * x[a];
        for (int b = 0; b < s.length; b++) {
          sum += ga[s[b]] * x[b];
        }
        y[a] = sum;
      }
      return new ArrayRealVector(y, false);
    }
  }
}
