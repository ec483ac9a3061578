package dev.whittle.quantization;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
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
 * Rewrites a model into one of the int8 forms ({@link QuantizationOptions.Mode}). Every form uses
 * only node/type combinations ONNX Runtime 1.2x has CPU kernels for:
 *
 * <ul>
 *   <li>dynamic: DynamicQuantizeLinear (float→uint8), MatMulInteger (uint8 × int8, or uint8 × uint8
 *       with asymmetric weights), Cast (int32→float), Mul; Gather on a uint8 table then
 *       DequantizeLinear (uint8, per tensor). Conv stays float (ONNX Runtime's ConvInteger takes
 *       uint8 weights only and has no fused per-channel path);
 *   <li>weight-only: int8 weight → DequantizeLinear (per channel needs opset 13) → the float op;
 *   <li>static QDQ: QuantizeLinear/DequantizeLinear (uint8 or int8 activations, int8 weights, int32
 *       biases) around Conv/MatMul/Gemm, which ONNX Runtime fuses into QLinearConv/QLinearMatMul/QGemm;
 *       static QOp: the same with QLinearConv/QLinearMatMul written directly ({@link QopForm}).
 * </ul>
 *
 * <p>The input model is not changed; the result is a copy. The same model, options and ranges
 * always give the same graph (names and order are deterministic).
 */
public final class ModelQuantizer {
  private ModelQuantizer() {}

  /** What happened to one quantizable node: quantized, or kept in float and why. */
  public record Decision(String node, String opType, boolean quantized, String detail) {
    @Override
    public String toString() {
      return (quantized ? "quantized " : "kept float ") + "'" + node + "' (" + opType + ")" + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /** The quantized model and one decision per quantizable node. */
  public record Result(Model model, List<Decision> decisions) {
    public long quantizedCount() {
      return decisions.stream().filter(Decision::quantized).count();
    }
  }

  /** A node this quantizer can rewrite, with its weight input and the weight's channel axis. */
  record Candidate(Node node, int weightInput, int axis) {}

  /**
   * The nodes of {@code model}'s main graph that the mode could quantize, with the reason for each
   * one it cannot (map value null = quantizable).
   */
  static Map<Node, String> candidates(Model model, QuantizationOptions o) {
    nameUnnamed(model.graph());
    Map<Node, String> out = new LinkedHashMap<>();
    for (Node n : model.graph().nodes()) {
      if (!n.isStandard()) {
        continue;
      }
      String op = n.opType();
      boolean relevant = switch (op) {
        case "MatMul", "Gemm" -> true;
        case "Conv" -> true;
        case "Gather" -> o.mode() != QuantizationOptions.Mode.STATIC;
        default -> false;
      };
      if (!relevant) {
        continue;
      }
      out.put(n, whyNot(n, o));
    }
    for (Node n : model.graph().nodes()) {
      for (Graph sub : n.subgraphs()) {
        refuseNested(sub, n, out);
      }
    }
    return out;
  }

  /**
   * Names the unnamed nodes of {@code g} (names are optional in ONNX, and exporters such as PyTorch
   * 1.2 leave them all empty) after their first output, whose name is unique: decisions, exclusions
   * and the accuracy budget identify nodes by name. Deterministic, so every plan of the same model
   * gives the same names.
   */
  private static void nameUnnamed(Graph g) {
    Set<String> taken = new java.util.HashSet<>();
    g.nodes().forEach(n -> taken.add(n.name()));
    for (Node n : g.nodes()) {
      if (!n.name().isEmpty()) {
        continue;
      }
      String base = n.outputs().isEmpty() || n.output(0) == null ? n.opType() : n.output(0).name();
      String name = base;
      for (int i = 1; !taken.add(name); i++) {
        name = base + "_" + i;
      }
      n.setName(name);
    }
  }

  /** Marks every Conv/MatMul/Gemm inside {@code sub} (a subgraph of {@code owner}) and its own subgraphs as kept float, saying where. */
  private static void refuseNested(Graph sub, Node owner, Map<Node, String> out) {
    for (Node n : sub.nodes()) {
      if (n.isStandard() && (n.is("Conv") || n.is("MatMul") || n.is("Gemm"))) {
        out.put(n, "it is inside subgraph '" + sub.name() + "' of " + owner.label() + ": only the main graph is quantized"
            + " (calibration taps and the rewrite work on main-graph values), subgraphs stay float");
      }
      for (Graph deeper : n.subgraphs()) {
        refuseNested(deeper, n, out);
      }
    }
  }

  private static String whyNot(Node n, QuantizationOptions o) {
    if (o.exclude().contains(n.name())) {
      return "excluded by name";
    }
    String op = n.opType();
    int wi = op.equals("Gather") ? 0 : 1;
    if (n.inputs().size() <= wi || n.input(wi) == null || !n.input(wi).isInitializer()) {
      return (op.equals("Gather") ? "the table" : "the weight") + " is not an initializer";
    }
    Tensor w = n.input(wi).initializer();
    if (w.dtype() != DType.FLOAT) {
      return "the weight is " + w.dtype().displayName() + ", not float32";
    }
    switch (op) {
      case "MatMul" -> {
        if (w.rank() != 2) {
          return "the weight has rank " + w.rank() + " (2 is needed)";
        }
        if (n.input(0).isInitializer()) {
          return "both inputs are constant";
        }
      }
      case "Gemm" -> {
        if (n.intAttr("transA", 0) != 0 && o.mode() == QuantizationOptions.Mode.DYNAMIC) {
          return "transA=1 (MatMulInteger takes A as is)";
        }
        if (n.input(0).isInitializer()) {
          return "both inputs are constant";
        }
      }
      case "Conv" -> {
        if (o.mode() == QuantizationOptions.Mode.DYNAMIC) {
          return "dynamic mode keeps Conv in float (ONNX Runtime's ConvInteger has only uint8×uint8 kernels);"
              + " use static or weight-only";
        }
        if (w.rank() < 3) {
          return "the weight has rank " + w.rank();
        }
        if (o.mode() == QuantizationOptions.Mode.STATIC && n.intAttr("group", 1) == 1 && w.dim(1) <= 3) {
          // measured on mnist-8's first Conv (1 channel, 5x5): QLinearConv 30 us, float Conv 8 us. Grouped and depthwise
          // Convs are quantized: ONNX Runtime has int8 depthwise kernels, and it would quantize a float Conv fed by
          // DequantizeLinear itself anyway (see StaticQuantizer)
          return "its input has " + w.dim(1) + " channel(s): an int8 Conv gains nothing there and ONNX Runtime's"
              + " QLinearConv is several times slower than its float Conv";
        }
      }
      case "Gather" -> {
        if (!o.quantizeEmbeddings()) {
          return "embedding quantization is off";
        }
        if (n.intAttr("axis", 0) != 0 || w.rank() != 2) {
          return "not a row lookup in a 2-D table";
        }
      }
      default -> {
        return "not quantizable";
      }
    }
    if (o.mode() == QuantizationOptions.Mode.STATIC && n.input(0).isInitializer()) {
      return "the input is constant";
    }
    return null;
  }

  /** The channel axis of a node's weight (per-channel quantization). */
  static int weightAxis(Node n) {
    return switch (n.opType()) {
      case "Conv" -> 0;
      case "MatMul" -> 1;
      case "Gemm" -> n.intAttr("transB", 0) != 0 ? 0 : 1;
      default -> -1;
    };
  }

  /** Quantizes a copy of {@code model} in dynamic or weight-only mode (no calibration needed). */
  public static Result quantize(Model model, QuantizationOptions o) {
    if (o.mode() == QuantizationOptions.Mode.STATIC) {
      throw new WhittleException("static quantization needs calibrated ranges: use StaticQuantizer (or whittle quantize --calibration)");
    }
    checkFormat(o);
    Model m = model.copy();
    List<Decision> decisions = new ArrayList<>();
    long needed = o.mode() == QuantizationOptions.Mode.DYNAMIC ? 11 : 10;
    String opsetProblem = Opsets.ensure(m, needed);
    final boolean perChannel = o.perChannel();
    if (opsetProblem == null && perChannel && o.mode() == QuantizationOptions.Mode.WEIGHT_ONLY && !o.unpackOnLoad()) {
      Opsets.ensure(m, 13); // per-axis DequantizeLinear when the ops allow; else Cast and Mul (see weightOnly)
    }
    // per-channel only: each merged column keeps its own scale, so merging changes no number
    List<SiblingMatMuls.Merge> merges = o.mode() == QuantizationOptions.Mode.DYNAMIC && perChannel && opsetProblem == null
        ? SiblingMatMuls.merge(m, o) : List.of();
    Rewriter rw = new Rewriter(m, o); // after the opset conversion, which may replace the graph
    for (Map.Entry<Node, String> e : candidates(m, o).entrySet()) {
      Node n = e.getKey();
      String why = e.getValue();
      if (why == null && opsetProblem != null) {
        why = "opset " + m.defaultOpset() + " is too old for this form and cannot be raised: " + opsetProblem;
      }
      if (why != null) {
        decisions.add(new Decision(n.name(), n.opType(), false, why));
        continue;
      }
      boolean dynamic = o.mode() == QuantizationOptions.Mode.DYNAMIC && !o.weightOnly().contains(n.name());
      String detail = dynamic ? rw.dynamic(n, perChannel) : rw.weightOnly(n, perChannel);
      decisions.add(new Decision(n.name(), n.opType(), detail.startsWith("int8") || detail.startsWith("uint8"), detail));
    }
    rw.finish();
    OrtKernels.require(m);
    return new Result(m, unmerged(decisions, merges));
  }

  /** One decision per original node (exclusions and the accuracy budget name those), saying which were merged. */
  private static List<Decision> unmerged(List<Decision> decisions, List<SiblingMatMuls.Merge> merges) {
    List<Decision> out = new ArrayList<>();
    for (Decision d : decisions) {
      SiblingMatMuls.Merge merge = merges.stream().filter(x -> x.node().equals(d.node())).findFirst().orElse(null);
      if (merge == null) {
        out.add(d);
        continue;
      }
      for (String member : merge.members()) {
        out.add(new Decision(member, d.opType(), d.quantized(), d.detail() + "; merged with the other MatMuls reading its input into '"
            + merge.node() + "' (weights side by side, then Split)"));
      }
    }
    return out;
  }

  /** Whether {@code o} gives the dynamic MatMul {@code n} per-token activation scaling (by name, all, or wide: weight [K,N] with K > N). */
  static boolean perToken(Node n, QuantizationOptions o) {
    if (!n.opType().equals("MatMul")) {
      return false;
    }
    Tensor wt = n.input(1).initializer();
    boolean wide = wt != null && wt.rank() == 2 && wt.dim(0) > wt.dim(1);
    return o.perToken().contains(n.name()) || o.perToken().contains(QuantizationOptions.ALL)
        || wide && o.perToken().contains(QuantizationOptions.WIDE);
  }

  /** qop is the static form with integer operators; dynamic is integer operators already; weight-only computes in float. */
  static void checkFormat(QuantizationOptions o) {
    if (o.format() == QuantizationOptions.Format.QOP && o.mode() == QuantizationOptions.Mode.WEIGHT_ONLY) {
      throw WhittleException.builder("the qop format (integer operators) does not apply to weight-only quantization, which computes in float")
          .expected("--format qdq, or --mode static|dynamic").found("qop").build();
    }
  }

  /** Graph edits shared by the modes. */
  static final class Rewriter {
    final Model model;
    final Graph g;
    final QuantizationOptions o;
    /** Activation → its DynamicQuantizeLinear outputs (shared by every MatMul reading it). */
    private final Map<Value, Value[]> dynamicInputs = new HashMap<>();
    /** (weight, axis, transposed, signed) → quantized initializer and its parameters (shared weights stay shared). */
    private final Map<String, Object[]> weights = new HashMap<>();
    private final Set<Value> touchedWeights = new LinkedHashSet<>();

    private final Set<String> nodeNames = new java.util.HashSet<>();

    Rewriter(Model model, QuantizationOptions o) {
      this.model = model;
      this.g = model.graph();
      this.o = o;
      g.nodes().forEach(n -> nodeNames.add(n.name()));
    }

    String freshNodeName(String base) {
      String name = base;
      for (int i = 1; !nodeNames.add(name); i++) {
        name = base + "_" + i;
      }
      return name;
    }

    private final List<Value> created = new ArrayList<>();

    Value init(String base, Tensor t) {
      Value v = g.addInitializer(g.freshName(base), t);
      created.add(v);
      return v;
    }

    Value value(String base) {
      return g.newValue(g.freshName(base));
    }

    Node node(Node anchor, String op, String name, Value... inputs) {
      Node n = new Node(op, "", freshNodeName(name));
      for (Value v : inputs) {
        n.addInput(v);
      }
      return g.insertBefore(anchor, n);
    }

    /** The quantized form of a weight (cached). */
    Object[] weight(Value w, int axis, boolean transpose, boolean symmetric) {
      return weight(w, transpose ? "transposed" : "", transpose ? transpose2d(w.initializer()) : w.initializer(), axis, symmetric);
    }

    /** The quantized form of {@code t}, a variant (named by {@code variant}) of the weight {@code w} (cached). */
    Object[] weight(Value w, String variant, Tensor t, int axis, boolean symmetric) {
      String key = w.name() + "|" + variant + "|" + axis + "|" + symmetric;
      return weights.computeIfAbsent(key, k -> {
        Quantize.QuantizedTensor q = Quantize.weight(t, axis, symmetric);
        touchedWeights.add(w);
        Value data = init(w.name() + "_quantized", q.data());
        Value scale = init(w.name() + "_scale", q.params().scaleTensor());
        Value zp = init(w.name() + "_zero_point", q.params().zeroPointTensor());
        return new Object[] {data, scale, zp, q.params()};
      });
    }

    /** Replaces {@code n}'s output 0 with the output of {@code last}, then removes {@code n}. */
    void replace(Node n, Node last) {
      Value out = n.output(0);
      n.setOutput(0, null);
      for (int i = 1; i < n.outputs().size(); i++) {
        if (n.output(i) != null && n.output(i).isUsed()) {
          throw n.error("an extra output is used").build();
        }
      }
      g.removeNode(n);
      last.addOutput(out);
    }

    String dynamic(Node n, boolean perChannel) {
      if (n.opType().equals("Gather")) {
        return gather(n);
      }
      boolean gemm = n.opType().equals("Gemm");
      boolean transB = gemm && n.intAttr("transB", 0) != 0;
      float alpha = gemm ? n.floatAttr("alpha", 1f) : 1f;
      float beta = gemm ? n.floatAttr("beta", 1f) : 1f;
      Value c = gemm && n.inputs().size() > 2 ? n.input(2) : null;
      if (c != null && beta != 1f && !c.isInitializer()) {
        return "kept float: Gemm with beta " + beta + " and a computed C";
      }
      boolean symmetric = !o.asymmetricWeights();
      Value x = n.input(0);
      Object[] w = weight(n.input(1), perChannel ? 1 : -1, transB, symmetric);
      QuantParams p = (QuantParams) w[3];
      String base = n.name().isEmpty() ? n.output(0).name() : n.name();
      Value rowMax = null;
      if (perToken(n, o)) {
        Value[] normalized = normalizedRows(n, x);
        x = normalized[0];
        rowMax = normalized[1];
      }
      Value[] xq = dynamicInputs.get(x);
      if (xq == null) {
        Node dql = node(n, "DynamicQuantizeLinear", x.name() + "_DynamicQuantizeLinear", x);
        xq = new Value[] {value(x.name() + "_quantized"), value(x.name() + "_scale"), value(x.name() + "_zero_point")};
        for (Value v : xq) {
          dql.addOutput(v);
        }
        dynamicInputs.put(x, xq);
      }
      Node mmi = node(n, "MatMulInteger", base + "_MatMulInteger", xq[0], (Value) w[0], xq[2]);
      if (!p.zeroPointsAllZero()) {
        mmi.addInput((Value) w[2]);
      }
      Value acc = value(base + "_int32");
      mmi.addOutput(acc);
      Node cast = node(n, "Cast", base + "_Cast", acc);
      cast.setAttribute(Attribute.of("to", (long) DType.FLOAT.code()));
      Value accF = value(base + "_float");
      cast.addOutput(accF);
      Value wScale = (Value) w[1];
      if (alpha != 1f) {
        float[] s = p.scale().clone();
        for (int i = 0; i < s.length; i++) {
          s[i] *= alpha;
        }
        wScale = init(base + "_alpha_scale", p.perTensor() ? Tensor.ofFloats(new long[0], s) : Tensor.ofFloats(new long[] {s.length}, s));
      }
      Node scaleMul = node(n, "Mul", base + "_scale_product", xq[1], wScale);
      Value scale = value(base + "_scale_product");
      scaleMul.addOutput(scale);
      Node mul = node(n, "Mul", base + "_rescale", accF, scale);
      if (rowMax != null) {
        Value product = value(base + "_normalized_product");
        mul.addOutput(product);
        mul = node(n, "Mul", base + "_row_rescale", product, rowMax);
      }
      Node last = mul;
      if (c != null) {
        Value product = value(base + "_product");
        mul.addOutput(product);
        Value bias = c;
        if (beta != 1f) {
          float[] cv = c.initializer().toFloatArray();
          for (int i = 0; i < cv.length; i++) {
            cv[i] *= beta;
          }
          bias = init(c.name() + "_beta", Tensor.wrapFloats(c.initializer().dims(), cv));
        }
        last = node(n, "Add", base + "_bias", product, bias);
      }
      replace(n, last);
      return describe(p) + " weight × uint8 activation (" + (rowMax != null ? "rows scaled to max |x| = 1, then " : "")
          + "DynamicQuantizeLinear, MatMulInteger)";
    }

    /** Activation → its rows scaled to max |x| = 1 and the row maxima (shared by every MatMul reading it). */
    private final Map<Value, Value[]> perTokenInputs = new HashMap<>();

    /**
     * Per-token activations: {@code m = max(max|x_row|, tiny)}, {@code x / m} goes through the
     * usual DynamicQuantizeLinear (so one outlier token no longer coarsens every other token's
     * steps), and the product is multiplied back by {@code m} (rows of {@code x W} scale with rows
     * of {@code x}). ONNX Runtime still fuses the DynamicQuantizeLinear/MatMulInteger part.
     */
    private Value[] normalizedRows(Node n, Value x) {
      Value[] out = perTokenInputs.get(x);
      if (out != null) {
        return out;
      }
      String xb = x.name();
      Node abs = node(n, "Abs", xb + "_abs", x);
      Value a = value(xb + "_abs");
      abs.addOutput(a);
      Node max = node(n, "ReduceMax", xb + "_row_max", a);
      if (model.defaultOpset() >= 18) {
        max.addInput(init(xb + "_last_axis", Tensor.ofLongs(new long[] {1}, -1L)));
      } else {
        max.setAttribute(Attribute.ofInts("axes", -1));
      }
      max.setAttribute(Attribute.of("keepdims", 1L));
      Value m0 = value(xb + "_row_max_raw");
      max.addOutput(m0);
      Node floor = node(n, "Max", xb + "_row_max", m0, init(xb + "_tiny", Tensor.ofFloats(new long[0], 1e-30f)));
      Value m = value(xb + "_row_max");
      floor.addOutput(m);
      Node inv = node(n, "Reciprocal", xb + "_row_inverse", m);
      Value mi = value(xb + "_row_inverse");
      inv.addOutput(mi);
      Node scaled = node(n, "Mul", xb + "_rows_normalized", x, mi);
      Value xs = value(xb + "_rows_normalized");
      scaled.addOutput(xs);
      out = new Value[] {xs, m};
      perTokenInputs.put(x, out);
      return out;
    }

    /** Gather on a uint8 table, then DequantizeLinear (per tensor: rows are looked up, so a per-tensor scale keeps it one op). */
    String gather(Node n) {
      Object[] w = weight(n.input(0), -1, false, false);
      QuantParams p = (QuantParams) w[3];
      String base = n.name().isEmpty() ? n.output(0).name() : n.name();
      Node gq = node(n, "Gather", base + "_quantized", (Value) w[0], n.input(1));
      if (n.hasAttribute("axis")) {
        gq.setAttribute(n.attribute("axis"));
      }
      Value rows = value(base + "_rows_quantized");
      gq.addOutput(rows);
      Node dq = node(n, "DequantizeLinear", base + "_DequantizeLinear", rows, (Value) w[1], (Value) w[2]);
      replace(n, dq);
      return describe(p) + " table, Gather then DequantizeLinear";
    }

    String weightOnly(Node n, boolean perChannel) {
      if (n.opType().equals("Gather")) {
        if (!o.unpackOnLoad()) {
          return gather(n);
        }
        Object[] w = weight(n.input(0), -1, false, false);
        n.setInput(0, widen(n, n.input(0).name(), (Value) w[0], (QuantParams) w[3], -1));
        return describe((QuantParams) w[3]) + " table, Cast and Mul (folded on load), then float Gather";
      }
      int axis = perChannel ? weightAxis(n) : -1;
      Object[] w = weight(n.input(1), axis, false, !o.asymmetricWeights());
      QuantParams p = (QuantParams) w[3];
      String base = n.input(1).name();
      if (o.unpackOnLoad() || axis >= 0 && model.defaultOpset() < 13) {
        n.setInput(1, widen(n, base, (Value) w[0], p, axis));
        return describe(p) + " weight, Cast and Mul by the " + (p.perTensor() ? "scale" : "channel scales")
            + (o.unpackOnLoad() ? " (folded on load)" : " (opset " + model.defaultOpset() + " has no per-axis DequantizeLinear)")
            + ", then float " + n.opType();
      }
      n.setInput(1, dequantize(n, base, (Value) w[0], (Value) w[1], (Value) w[2], axis));
      return describe(p) + " weight, DequantizeLinear then float " + n.opType();
    }

    /**
     * (Cast(q) − zp) · scale without DequantizeLinear, which has no axis before opset 13 and which
     * ONNX Runtime never folds: the scale (and zero point) shaped to broadcast along {@code axis}.
     */
    Value widen(Node before, String base, Value q, QuantParams p, int axis) {
      long[] shape = new long[0];
      if (axis >= 0) {
        shape = new long[q.initializer().rank() - axis];
        java.util.Arrays.fill(shape, 1);
        shape[0] = p.channels();
      }
      Node cast = node(before, "Cast", base + "_Cast", q);
      cast.setAttribute(Attribute.of("to", (long) DType.FLOAT.code()));
      Value f = value(base + "_float");
      cast.addOutput(f);
      if (!p.zeroPointsAllZero()) {
        float[] zp = new float[p.channels()];
        for (int i = 0; i < zp.length; i++) {
          zp[i] = p.zeroPoint()[i];
        }
        Node sub = node(before, "Sub", base + "_minus_zero_point", f, init(base + "_zero_point_float", Tensor.ofFloats(shape, zp)));
        f = value(base + "_centered");
        sub.addOutput(f);
      }
      Node mul = node(before, "Mul", base + "_dequantize", f, init(base + "_channel_scale", Tensor.ofFloats(shape, p.scale().clone())));
      Value out = value(base + "_dequantized");
      mul.addOutput(out);
      return out;
    }

    Value dequantize(Node before, String base, Value data, Value scale, Value zp, int axis) {
      Node dq = node(before, "DequantizeLinear", base + "_DequantizeLinear", data, scale);
      if (zp != null) {
        dq.addInput(zp);
      }
      if (axis >= 0) {
        dq.setAttribute(Attribute.of("axis", (long) axis));
      }
      Value out = value(base + "_dequantized");
      dq.addOutput(out);
      return out;
    }

    /** Marks a float initializer as replaced (dropped by {@link #finish} when nothing reads it any more). */
    void touch(Value v) {
      touchedWeights.add(v);
    }

    /** Drops float weights nothing reads any more and puts nodes in dependency order. */
    void finish() {
      for (Value w : created) {
        if (!w.isUsed()) {
          g.removeInitializer(w);
          g.removeValue(w);
        }
      }
      for (Value w : touchedWeights) {
        if (!w.isUsed() && !w.isGraphInput()) {
          g.removeInitializer(w);
          g.removeValue(w);
        }
      }
      g.sortTopologically();
    }
  }

  static String describe(QuantParams p) {
    return p.type().displayName() + (p.perTensor() ? " per-tensor" : " per-channel (axis " + p.axis() + ")");
  }

  static Tensor transpose2d(Tensor t) {
    float[] v = t.toFloatArray();
    int r = (int) t.dim(0);
    int c = (int) t.dim(1);
    float[] out = new float[v.length];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        out[j * r + i] = v[i * c + j];
      }
    }
    return Tensor.wrapFloats(new long[] {c, r}, out);
  }
}
