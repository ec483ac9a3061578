package dev.whittle.quantization;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.kernels.Kernels;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Activation smoothing for dynamic quantization (the idea of SmoothQuant, Xiao et al. 2023):
 * {@code X·W = (X·diag(1/s))·(diag(s)·W)}. DynamicQuantizeLinear gives a whole activation one
 * scale, so a few channels with a large range (a LayerNorm's large-gain channels) coarsen the steps
 * of every other channel; dividing channel j by {@code s_j} moves its range into row j of the weight,
 * which is quantized per output channel and does not mind. {@code s_j = max|X_j|^α / max|W_j|^(1−α)}.
 *
 * <p>Per activation (all quantized MatMul/Gemm reading it form one group and share one s), α is
 * chosen from {@link #ALPHAS} by the error the group's int8 products make on calibration rows,
 * simulating the quantization the dynamic form performs (each sample's own per-tensor uint8 range,
 * the int8 weights as {@link Quantize#weight} gives them). A group is smoothed only when that error
 * drops by at least half ({@link #MIN_GAIN}): the Mul costs run time, and where the large values
 * belong to a few tokens rather than to channels, smoothing helps little. Costs one elementwise Mul per
 * smoothed activation; the weights are rescaled offline, so the float model computes the same.
 */
public final class ActivationSmoothing {
  static final double[] ALPHAS = {0.3, 0.5, 0.7, 0.85};
  /**
   * Relative error reduction a group needs before it is smoothed: its Mul costs run time, so it must
   * halve the error (on MiniLM-L6, 17 of 24 activations pass and the sentence-embedding cosine is
   * the same as smoothing every one that improves at all by 10%: 0.9983).
   */
  static final double MIN_GAIN = 0.5;
  /** Calibration rows kept per activation to measure the error on (spread over the samples). */
  static final int MAX_ROWS = 512;

  private ActivationSmoothing() {}

  /** One activation's outcome: α (NaN when left alone) and the simulated relative squared error of its products before and after. */
  public record Choice(String activation, List<String> nodes, double alpha, double errorBefore, double errorAfter) {
    public boolean smoothed() {
      return !Double.isNaN(alpha);
    }

    @Override
    public String toString() {
      String err = String.format(Locale.ROOT, "int8 product error %.2e", errorBefore);
      return (smoothed() ? String.format(Locale.ROOT, "smoothed '%s' (alpha %.2f, %s -> %.2e)", activation, alpha, err, errorAfter)
          : String.format(Locale.ROOT, "not smoothed '%s' (%s; best smoothing %.2e)", activation, err, errorAfter)) + " for " + nodes;
    }
  }

  /** The smoothed float model (a copy; computes what the input does) and one choice per activation considered. */
  public record Result(Model model, List<Choice> choices) {
    public long smoothedCount() {
      return choices.stream().filter(Choice::smoothed).count();
    }
  }

  /**
   * Smooths the activations of the MatMul/Gemm nodes that {@code o} quantizes dynamically, measured
   * on at most {@code maxSamples} samples of {@code calibration}.
   */
  public static Result apply(Model model, QuantizationOptions o, Iterable<Map<String, Tensor>> calibration, int maxSamples) {
    if (o.mode() != QuantizationOptions.Mode.DYNAMIC) {
      throw new WhittleException("activation smoothing applies to dynamic quantization only (static ranges are calibrated per tensor)");
    }
    Model m = model.copy();
    Map<Value, List<Layer>> groups = groups(m, o);
    Map<Value, Stats> stats = collect(m, groups, calibration, maxSamples);
    List<Choice> choices = new ArrayList<>();
    for (Map.Entry<Value, List<Layer>> e : groups.entrySet()) {
      Stats st = stats.get(e.getKey());
      List<Layer> layers = e.getValue();
      Probe probe = Probe.of(st, layers);
      double before = error(st, probe, layers, null, o);
      double bestAlpha = Double.NaN;
      double best = Double.POSITIVE_INFINITY;
      float[] bestS = null;
      for (double alpha : ALPHAS) {
        float[] s = factors(st, layers, alpha);
        double err = error(st, probe, layers, s, o);
        if (err < best) {
          best = err;
          bestAlpha = alpha;
          bestS = s;
        }
      }
      boolean smooth = best <= before * (1 - MIN_GAIN);
      choices.add(new Choice(e.getKey().name(), layers.stream().map(l -> l.node.name()).toList(), smooth ? bestAlpha : Double.NaN, before,
          best));
      if (smooth) {
        rewrite(m.graph(), e.getKey(), layers, bestS);
      }
    }
    return new Result(m, choices);
  }

  /** A quantized layer reading the activation, with its weight as [K, N] row-major. */
  private record Layer(Node node, int k, int n, float[] weight) {}

  private static Map<Value, List<Layer>> groups(Model m, QuantizationOptions o) {
    Map<Value, List<Layer>> groups = new LinkedHashMap<>();
    for (Map.Entry<Node, String> e : ModelQuantizer.candidates(m, o).entrySet()) {
      Node n = e.getKey();
      boolean gemm = n.opType().equals("Gemm");
      if (e.getValue() != null || o.weightOnly().contains(n.name()) || !(n.opType().equals("MatMul") || gemm)
          || gemm && n.intAttr("transA", 0) != 0 || n.input(0).isInitializer()) {
        continue;
      }
      Tensor w = n.input(1).initializer();
      if (w == null || w.rank() != 2) {
        continue;
      }
      boolean transB = gemm && n.intAttr("transB", 0) != 0;
      float[] kn = transB ? ModelQuantizer.transpose2d(w).toFloatArray() : w.toFloatArray();
      int k = (int) w.dim(transB ? 1 : 0);
      groups.computeIfAbsent(n.input(0), v -> new ArrayList<>()).add(new Layer(n, k, kn.length / k, kn));
    }
    return groups;
  }

  /**
   * Each channel's largest |x| over all samples (running); and up to {@link #MAX_ROWS} rows in all,
   * with the extremes of the sample each comes from (what DynamicQuantizeLinear's range for that
   * run depends on). Memory is bounded by the row budget, however many samples are fed.
   */
  private static final class Stats {
    final int k;
    final float[] absMax;
    final List<float[]> channelMax = new ArrayList<>();
    final List<float[]> channelMin = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>();
    final List<Integer> rowSample = new ArrayList<>();

    Stats(int k) {
      this.k = k;
      this.absMax = new float[k];
    }

    void observe(float[] x, int rowsPerSample) {
      if (x.length % k != 0) {
        throw WhittleException.builder("activation of " + x.length + " values does not split into rows of " + k)
            .expected("a last dimension of " + k).build();
      }
      int count = x.length / k;
      float[] max = new float[k];
      float[] min = new float[k];
      java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
      java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
      for (int r = 0; r < count; r++) {
        for (int j = 0; j < k; j++) {
          float v = x[r * k + j];
          max[j] = Math.max(max[j], v);
          min[j] = Math.min(min[j], v);
        }
      }
      for (int j = 0; j < k; j++) {
        absMax[j] = Math.max(absMax[j], Math.max(Math.abs(max[j]), Math.abs(min[j])));
      }
      if (rows.size() >= MAX_ROWS) {
        return;
      }
      int sample = channelMax.size();
      channelMax.add(max);
      channelMin.add(min);
      int step = Math.max(1, count / rowsPerSample);
      for (int r = 0; r < count && rows.size() < MAX_ROWS; r += step) {
        rows.add(java.util.Arrays.copyOfRange(x, r * k, (r + 1) * k));
        rowSample.add(sample);
      }
    }
  }

  private static Map<Value, Stats> collect(Model m, Map<Value, List<Layer>> groups, Iterable<Map<String, Tensor>> data, int maxSamples) {
    Map<String, Stats> byName = new LinkedHashMap<>();
    groups.forEach((v, layers) -> byName.put(v.name(), new Stats(layers.get(0).k)));
    int rowsPerSample = Math.max(1, (MAX_ROWS + maxSamples - 1) / maxSamples);
    int samples = 0;
    try (Session s = Session.open(m)) {
      RunOptions tap = RunOptions.tap(byName.keySet(), (name, t) -> byName.get(name).observe(Casts.toFloats(t), rowsPerSample));
      for (Map<String, Tensor> in : data) {
        if (samples >= maxSamples) {
          break;
        }
        in.forEach((name, t) -> {
          Stats st = byName.get(name);
          if (st != null) {
            st.observe(Casts.toFloats(t), rowsPerSample);
          }
        });
        s.runValues(in, tap);
        samples++;
      }
    }
    if (samples == 0) {
      throw new WhittleException("activation smoothing: the calibration data holds no samples");
    }
    Map<Value, Stats> out = new LinkedHashMap<>();
    groups.keySet().forEach(v -> out.put(v, byName.get(v.name())));
    return out;
  }

  /** {@code s_j = max|X_j|^α / max|W_j|^(1−α)} over the group's weights; 1 where either is 0. */
  static float[] factors(Stats st, List<Layer> layers, double alpha) {
    float[] s = new float[st.k];
    for (int j = 0; j < st.k; j++) {
      float w = 0;
      for (Layer l : layers) {
        for (int c = 0; c < l.n; c++) {
          w = Math.max(w, Math.abs(l.weight[j * l.n + c]));
        }
      }
      float a = st.absMax[j];
      double f = a > 0 && w > 0 ? Math.pow(a, alpha) / Math.pow(w, 1 - alpha) : 1;
      s[j] = Double.isFinite(f) && f > 0 ? (float) f : 1f;
    }
    return s;
  }

  /** The kept rows as one [rows, K] matrix and the group's exact float products on them (the same for every α). */
  private record Probe(float[] x, int rows, List<float[]> exact) {
    static Probe of(Stats st, List<Layer> layers) {
      int rows = st.rows.size();
      float[] x = new float[rows * st.k];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(st.rows.get(r), 0, x, r * st.k, st.k);
      }
      List<float[]> exact = new ArrayList<>();
      for (Layer l : layers) {
        exact.add(product(x, rows, st.k, l.weight, l.n));
      }
      return new Probe(x, rows, exact);
    }
  }

  /** Relative squared error of the group's simulated int8 products on the kept rows, with smoothing {@code s} (null: none). */
  private static double error(Stats st, Probe probe, List<Layer> layers, float[] s, QuantizationOptions o) {
    int k = st.k;
    QuantParams[] perSample = new QuantParams[st.channelMax.size()];
    for (int i = 0; i < perSample.length; i++) {
      perSample[i] = sampleParams(st, i, s);
    }
    float[] xq = new float[probe.rows * k];
    for (int r = 0; r < probe.rows; r++) {
      QuantParams p = perSample[st.rowSample.get(r)];
      for (int j = 0; j < k; j++) {
        float v = s == null ? probe.x[r * k + j] : probe.x[r * k + j] / s[j];
        xq[r * k + j] = Quantize.dequantize(Quantize.quantize(v, p.scale()[0], p.zeroPoint()[0], DType.UINT8), p.scale()[0], p.zeroPoint()[0]);
      }
    }
    double num = 0;
    double den = 0;
    for (int li = 0; li < layers.size(); li++) {
      Layer l = layers.get(li);
      float[] w = l.weight;
      if (s != null) {
        w = w.clone();
        for (int j = 0; j < k; j++) {
          for (int c = 0; c < l.n; c++) {
            w[j * l.n + c] *= s[j];
          }
        }
      }
      float[] exact = probe.exact.get(li);
      float[] approx = product(xq, probe.rows, k, dequantizedWeight(w, k, l.n, o), l.n);
      for (int i = 0; i < exact.length; i++) {
        double d = approx[i] - exact[i];
        num += d * d;
        den += (double) exact[i] * exact[i];
      }
    }
    return den == 0 ? 0 : num / den;
  }

  /** What DynamicQuantizeLinear computes for the sample: one uint8 range over the (smoothed) activation, widened to 0. */
  private static QuantParams sampleParams(Stats st, int sample, float[] s) {
    float[] max = st.channelMax.get(sample);
    float[] min = st.channelMin.get(sample);
    float hi = 0;
    float lo = 0;
    for (int j = 0; j < st.k; j++) {
      float f = s == null ? 1f : s[j];
      hi = Math.max(hi, max[j] / f);
      lo = Math.min(lo, min[j] / f);
    }
    return QuantParams.asymmetricUint8(lo, hi);
  }

  /** The [K, N] weight after the int8 round trip the dynamic form gives it (per output column when per channel). */
  static float[] dequantizedWeight(float[] w, int k, int n, QuantizationOptions o) {
    Quantize.QuantizedTensor q = Quantize.weight(Tensor.wrapFloats(new long[] {k, n}, w), o.perChannel() ? 1 : -1, !o.asymmetricWeights());
    float[] data = dev.whittle.runtime.ops.Casts.toFloats(q.data());
    QuantParams p = q.params();
    float[] out = new float[w.length];
    for (int i = 0; i < out.length; i++) {
      int c = p.perTensor() ? 0 : i % n;
      out[i] = Quantize.dequantize((int) data[i], p.scale()[c], p.zeroPoint()[c]);
    }
    return out;
  }

  private static float[] product(float[] x, int rows, int k, float[] w, int n) {
    float[] y = new float[rows * n];
    Kernels.sgemm().multiply(rows, n, k, 1f, x, 0, k, false, w, 0, n, false, 0f, y, 0, n);
    return y;
  }

  /** Inserts {@code x · (1/s)} before the group's first layer and gives each layer {@code diag(s)·W}. */
  private static void rewrite(Graph g, Value x, List<Layer> layers, float[] s) {
    float[] inv = new float[s.length];
    for (int j = 0; j < s.length; j++) {
      inv[j] = 1f / s[j];
    }
    Value factor = g.addInitializer(x.name() + "_smoothing", Tensor.ofFloats(new long[] {s.length}, inv));
    Node mul = new Node("Mul", "", g.freshName(x.name() + "_smooth"));
    mul.addInput(x);
    mul.addInput(factor);
    Value smoothed = g.newValue(g.freshName(x.name() + "_smoothed"), x.type());
    mul.addOutput(smoothed);
    Node first = layers.get(0).node;
    for (Layer l : layers) {
      if (g.nodes().indexOf(l.node) < g.nodes().indexOf(first)) {
        first = l.node;
      }
    }
    g.insertBefore(first, mul);
    for (Layer l : layers) {
      Value old = l.node.input(1);
      Tensor w = old.initializer();
      float[] v = w.toFloatArray();
      boolean transB = l.node.opType().equals("Gemm") && l.node.intAttr("transB", 0) != 0;
      for (int i = 0; i < v.length; i++) {
        // [K, N]: row j is input channel j; transposed [N, K]: column j is
        v[i] *= s[transB ? i % l.k : i / l.n];
      }
      l.node.setInput(1, g.addInitializer(old.name() + "_smoothed", Tensor.ofFloats(w.dims(), v)));
      l.node.setInput(0, smoothed);
      if (!old.isUsed() && !old.isGraphInput() && !old.isGraphOutput()) {
        g.removeInitializer(old);
        g.removeValue(old);
      }
    }
  }
}
