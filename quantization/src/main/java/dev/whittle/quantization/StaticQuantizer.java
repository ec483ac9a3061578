package dev.whittle.quantization;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static quantization in QDQ form. {@link #plan} picks the Conv/MatMul/Gemm nodes with float
 * weights and the activations to quantize: their inputs; their outputs, or the output of a Relu that
 * is their only reader (ONNX Runtime drops such a Relu when the zero point is the type's minimum);
 * and the outputs of MaxPool/Reshape/Flatten/Transpose/Squeeze/Unsqueeze reading a quantized value,
 * which share its parameters so ONNX Runtime runs them on integers. Graph outputs stay float.
 * {@link #apply} then inserts QuantizeLinear → DequantizeLinear on each such value, int8 weights
 * → DequantizeLinear, and int32 biases (scale = input scale × weight scale) → DequantizeLinear.
 */
public final class StaticQuantizer {
  private StaticQuantizer() {}

  private static final Set<String> PASS_THROUGH = Set.of("MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze");
  /** Ops ONNX Runtime quantizes itself when their input 0 is dequantized and their weight a float initializer. */
  private static final Set<String> FLOAT_WEIGHT_OPS = Set.of("Conv", "ConvTranspose", "Gemm");

  /** A prepared copy of the model (opset raised when needed) and what to quantize in it. */
  public static final class Plan {
    final Model model;
    final QuantizationOptions options;
    final List<Node> nodes = new ArrayList<>();
    final List<ModelQuantizer.Decision> refused = new ArrayList<>();
    /** Quantized activations in graph order; the value each shares its parameters with (itself if calibrated). */
    final Map<Value, Value> activations = new LinkedHashMap<>();
    final boolean perChannel;
    boolean applied;

    Plan(Model model, QuantizationOptions options, boolean perChannel) {
      this.model = model;
      this.options = options;
      this.perChannel = perChannel;
    }

    /** The float model to calibrate (the opset may have been raised; nothing else changed). */
    public Model model() {
      return model;
    }

    /** The values whose ranges calibration must provide. */
    public Set<String> valuesToCalibrate() {
      Set<String> out = new LinkedHashSet<>();
      activations.forEach((v, root) -> {
        if (v == root) {
          out.add(v.name());
        }
      });
      return out;
    }

    /**
     * Every planned activation, including those that share another's parameters: calibrate these
     * when plans with fewer nodes (exclusions, {@link AccuracyBudget}) reuse the same ranges.
     */
    public Set<String> allActivations() {
      Set<String> out = new LinkedHashSet<>();
      activations.keySet().forEach(v -> out.add(v.name()));
      return out;
    }

    /** Names of the nodes that will be quantized. */
    public List<String> quantizableNodes() {
      return nodes.stream().map(Node::name).toList();
    }
  }

  public static Plan plan(Model source, QuantizationOptions o) {
    Model m = source.copy();
    boolean perChannel = o.perChannel();
    String problem = Opsets.ensure(m, 13);
    List<ModelQuantizer.Decision> notes = new ArrayList<>();
    if (problem != null) {
      String again = Opsets.ensure(m, 10);
      if (again != null) {
        Plan p = new Plan(m, o, false);
        for (Node n : ModelQuantizer.candidates(m, o).keySet()) {
          p.refused.add(new ModelQuantizer.Decision(n.name(), n.opType(), false,
              "QuantizeLinear needs opset 10 and the model's opset " + m.defaultOpset() + " cannot be raised: " + again));
        }
        return p;
      }
      if (perChannel) {
        perChannel = false;
        notes.add(new ModelQuantizer.Decision("(model)", "", false, "per-channel weights need opset 13 and " + problem
            + "; weights are per tensor"));
      }
    }
    Plan p = new Plan(m, o, perChannel);
    p.refused.addAll(notes);
    for (Map.Entry<Node, String> e : ModelQuantizer.candidates(m, o).entrySet()) {
      Node n = e.getKey();
      if (e.getValue() != null) {
        p.refused.add(new ModelQuantizer.Decision(n.name(), n.opType(), false, e.getValue()));
        continue;
      }
      p.nodes.add(n);
    }
    Set<Value> wanted = new LinkedHashSet<>();
    for (Node n : p.nodes) {
      wanted.add(n.input(0));
      Value out = n.output(0);
      List<Node> readers = out.consumers();
      if (!o.symmetric() && !out.isGraphOutput() && readers.size() == 1 && readers.getFirst().is("Relu")
          && out.uses().size() == 1) {
        out = readers.getFirst().output(0);
      }
      if (!out.isGraphOutput()) {
        wanted.add(out);
      }
    }
    // in graph order; pass-through ops reading a quantized value share its parameters
    for (Value v : m.graph().inputs()) {
      if (wanted.contains(v)) {
        p.activations.put(v, v);
      }
    }
    for (Node n : m.graph().topologicalOrder()) {
      if (PASS_THROUGH.contains(n.opType()) && n.isStandard() && p.activations.containsKey(n.input(0)) && !n.output(0).isGraphOutput()) {
        p.activations.put(n.output(0), p.activations.get(n.input(0)));
        continue;
      }
      for (Value out : n.outputs()) {
        if (out != null && wanted.contains(out)) {
          p.activations.put(out, out);
        }
      }
    }
    return p;
  }

  /** Quantizes the plan's model with the calibrated ranges. */
  public static ModelQuantizer.Result apply(Plan p, Map<String, Range> ranges) {
    QuantizationOptions o = p.options;
    if (p.applied) {
      throw new IllegalStateException("a plan is applied once; plan again for another try");
    }
    p.applied = true;
    Model m = p.model;
    Map<String, Value> byName = new HashMap<>();
    m.graph().values().forEach(v -> byName.put(v.name(), v));
    ModelQuantizer.Rewriter rw = new ModelQuantizer.Rewriter(m, o);
    Map<String, QuantParams> params = new LinkedHashMap<>();
    for (Map.Entry<Value, Value> e : p.activations.entrySet()) {
      String root = e.getValue().name();
      Range r = ranges.get(root);
      if (r == null) {
        throw WhittleException.builder("no calibrated range for value '" + root + "'").expected("a range for every planned value").build();
      }
      params.put(e.getKey().name(), r.params(o.symmetric()));
    }
    List<ModelQuantizer.Decision> decisions = new ArrayList<>(p.refused);
    // activations: Q -> DQ, every reader reads the DQ output
    Map<String, Value> dequantized = new HashMap<>();
    Set<Node> quantized = new java.util.HashSet<>(p.nodes);
    for (Map.Entry<String, QuantParams> e : params.entrySet()) {
      Value v = byName.get(e.getKey());
      QuantParams qp = e.getValue();
      // A Conv/ConvTranspose/Gemm kept float reads the float value: ONNX Runtime (1.20+, WeightBiasQuantization)
      // quantizes the float weight of any such node whose input comes from a DequantizeLinear, per tensor, so reading the
      // dequantized value would have it run a node the plan keeps float as int8 (and differently from Whittle's runtime)
      List<Value.Use> uses = v.uses().stream().filter(u -> quantized.contains(u.node()) || !FLOAT_WEIGHT_OPS.contains(u.node().opType()))
          .toList();
      if (uses.isEmpty()) {
        continue;
      }
      Node anchor = uses.getFirst().node();
      Value scale = rw.init(v.name() + "_scale", qp.scaleTensor());
      Value zp = rw.init(v.name() + "_zero_point", qp.zeroPointTensor());
      Node q = rw.node(anchor, "QuantizeLinear", v.name() + "_QuantizeLinear", v, scale, zp);
      Value qv = rw.value(v.name() + "_quantized");
      q.addOutput(qv);
      Node dq = rw.node(anchor, "DequantizeLinear", v.name() + "_DequantizeLinear", qv, scale, zp);
      Value dv = rw.value(v.name() + "_dequantized");
      dq.addOutput(dv);
      for (Value.Use u : uses) {
        u.node().setInput(u.index(), dv);
      }
      dequantized.put(v.name(), dv);
    }
    for (Node n : p.nodes) {
      Value x = n.input(0);
      int axis = p.perChannel ? ModelQuantizer.weightAxis(n) : -1;
      Object[] w = rw.weight(n.input(1), axis, false, !o.asymmetricWeights());
      QuantParams wp = (QuantParams) w[3];
      n.setInput(1, rw.dequantize(n, n.input(1).name(), (Value) w[0], (Value) w[1], (Value) w[2], axis));
      String detail = ModelQuantizer.describe(wp) + " weight, " + activationLabel(params.get(originalName(x, dequantized)));
      Value bias = n.inputs().size() > 2 ? n.input(2) : null;
      long channels = ((Value) w[0]).initializer().dim(ModelQuantizer.weightAxis(n));
      // Gemm's C of shape [1, N] broadcasts like [N]: written as a 1-D int32 bias so that ONNX Runtime can fuse QGemm
      boolean vectorBias = bias != null && bias.isInitializer() && bias.initializer().dtype() == DType.FLOAT
          && bias.initializer().elementCount() == channels
          && (bias.initializer().rank() == 1 || n.is("Gemm") && bias.initializer().rank() == 2 && bias.initializer().dim(0) == 1);
      if (vectorBias) {
        QuantParams xp = params.get(originalName(x, dequantized));
        float[] wScale = wp.perTensor() ? new float[] {wp.scale()[0]} : wp.scale();
        Tensor qb = Quantize.biasInt32(bias.initializer().reshaped(new long[] {channels}), xp.scale()[0], wScale);
        float[] bs = Quantize.biasScales(xp.scale()[0], wScale);
        Value bq = rw.init(bias.name() + "_quantized", qb);
        Value bsv = rw.init(bias.name() + "_scale", wp.perTensor() ? Tensor.ofFloats(new long[0], bs[0]) : Tensor.ofFloats(new long[] {bs.length}, bs));
        Node dq = rw.node(n, "DequantizeLinear", bias.name() + "_DequantizeLinear", bq, bsv);
        if (!wp.perTensor()) {
          dq.setAttribute(Attribute.of("axis", 0L));
        }
        Value bv = rw.value(bias.name() + "_dequantized");
        dq.addOutput(bv);
        n.setInput(2, bv);
        rw.touch(bias);
        detail += ", int32 bias";
      } else if (bias != null && n.opType().equals("Conv")) {
        detail += ", float bias";
      }
      decisions.add(new ModelQuantizer.Decision(n.name(), n.opType(), true, detail));
    }
    if (o.format() == QuantizationOptions.Format.QOP) {
      QopForm.apply(m, rw);
    }
    rw.finish();
    OrtKernels.require(m);
    return new ModelQuantizer.Result(m, decisions);
  }

  /** The name of the float value whose dequantized form {@code x} is (or x's own name). */
  private static String originalName(Value x, Map<String, Value> dequantized) {
    for (Map.Entry<String, Value> e : dequantized.entrySet()) {
      if (e.getValue() == x) {
        return e.getKey();
      }
    }
    return x.name();
  }

  private static String activationLabel(QuantParams p) {
    return p == null ? "float activation" : p.type().displayName() + " activation";
  }

  /** Plans, calibrates on {@code data} (at most {@code samples} samples) and quantizes. */
  public static ModelQuantizer.Result quantize(Model model, QuantizationOptions o, Iterable<Map<String, dev.whittle.ir.Tensor>> data,
      Calibrator.Kind kind, int samples) {
    Plan p = plan(model, o);
    Map<String, Range> ranges = Calibration.collect(p.model(), p.valuesToCalibrate(), data, kind, samples);
    return apply(p, ranges);
  }
}
