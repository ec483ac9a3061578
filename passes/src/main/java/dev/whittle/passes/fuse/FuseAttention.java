package dev.whittle.passes.fuse;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.passes.PassContext;
import dev.whittle.passes.PassInfo;
import dev.whittle.passes.RewriteRule;
import dev.whittle.runtime.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Multi-head attention as BERT-style exporters write it, anchored on the Softmax:
 * <pre>
 *   Q = Transpose(Reshape(q, [0,0,H,D]), [0,2,1,3])    K = Transpose(Reshape(k, [0,0,H,D]), [0,2,3,1])
 *   V = Transpose(Reshape(v, [0,0,H,D]), [0,2,1,3])
 *   S = MatMul(Q, K) [· c or / c] [+ mask]    P = Softmax(S, last axis)
 *   y = Reshape(Transpose(MatMul(P, V), [0,2,1,3]), [0,0,H·D])
 * </pre>
 * becomes {@code Attention(q, k, v, mask)} with {@code q_num_heads = kv_num_heads = H} and the
 * scale the pattern applies (1 when there is none: the weights may already carry it), opset 23 or
 * later. The three Reshapes, four Transposes, two MatMuls and the Softmax of every layer become one
 * node. Every intermediate value must be read only by the next step.
 *
 * <p>The mask, [B or 1, 1 or H, 1, T] in such exports, is first expanded over the query axis to
 * [.., S, T] (a Shape of q, a Concat and an Expand, shared by layers whose queries have a length of
 * the same known size or symbol): ONNX Runtime 1.24's CPU Attention computes wrong results for a
 * mask whose query axis is 1, though ONNX allows that broadcast.
 */
@PassInfo(id = "fuse-attention", summary = "Fuse Reshape/Transpose/MatMul/Softmax multi-head attention into Attention (opset >= 23)")
public final class FuseAttention extends RewriteRule {
  /** The matched nodes and the pieces of the fused node. */
  private record Match(List<Node> nodes, Value q, Value k, Value v, Value mask, long heads, double scale, Value output) {}

  @Override
  protected Set<String> rootOps() {
    return Set.of("Softmax");
  }

  /** The pattern is recognised by ranks and head sizes, so shapes are inferred first (only where the rule can apply). */
  @Override
  protected void prepare(Model model) {
    if (model.defaultOpset() >= 23) {
      ShapeInference.infer(model);
    }
  }

  @Override
  protected String statistic() {
    return "fused";
  }

  @Override
  protected String whyNot(Node softmax, Model model) {
    return match(softmax, model) instanceof String why ? why : null;
  }

  @Override
  protected void apply(Node softmax, Model model, PassContext ctx) {
    Match m = (Match) match(softmax, model);
    Graph g = softmax.graph();
    Node last = m.nodes().getLast();
    Node att = new Node("Attention", "", softmax.name().isEmpty() ? "" : softmax.name() + "_attention");
    g.insertBefore(last, att);
    att.addInput(m.q());
    att.addInput(m.k());
    att.addInput(m.v());
    if (m.mask() != null) {
      att.addInput(expandedMask(g, m.mask(), m.q(), att));
    }
    att.setAttribute(Attribute.of("q_num_heads", m.heads()));
    att.setAttribute(Attribute.of("kv_num_heads", m.heads()));
    att.setAttribute(Attribute.of("scale", (float) m.scale()));
    Value out = g.newValue(g.freshName(m.output().name() + "_attention"));
    out.setType(m.output().type());
    att.addOutput(out);
    Patterns.replace(m.output(), out);
    List<Node> nodes = new ArrayList<>(m.nodes());
    for (Node n : nodes.reversed()) {
      g.removeNode(n);
    }
  }

  /**
   * The mask broadcast over the query axis: Expand(mask, [S, 1]) with S read from q's shape, inserted
   * before {@code att}; an earlier layer's expansion is reused when its q has the same (symbolic or
   * fixed) length, as every layer of an encoder does.
   */
  private static Value expandedMask(Graph g, Value mask, Value q, Node att) {
    Dim length0 = queryLength(q);
    for (Node user : mask.consumers()) {
      Node concat = user.is("Expand") && user.inputs().size() == 2 ? user.input(1).producer() : null;
      Node shape = concat != null && concat.is("Concat") ? concat.input(0).producer() : null;
      if (shape != null && shape.is("Shape") && length0 != null && length0.equals(queryLength(shape.input(0)))) {
        return user.output(0);
      }
    }
    String name = mask.name() + "_over_queries";
    Node shape = new Node("Shape", "", g.freshName(name + "_length"));
    shape.addInput(q);
    shape.setAttribute(Attribute.of("start", 1L));
    shape.setAttribute(Attribute.of("end", 2L));
    Value length = g.newValue(g.freshName(name + "_length"));
    shape.addOutput(length);
    Node concat = new Node("Concat", "", g.freshName(name + "_shape"));
    concat.addInput(length);
    concat.addInput(g.addInitializer(name + "_one", Tensor.ofLongs(new long[] {1}, 1L)));
    concat.setAttribute(Attribute.of("axis", 0L));
    Value target = g.newValue(g.freshName(name + "_shape"));
    concat.addOutput(target);
    Node expand = new Node("Expand", "", g.freshName(name));
    expand.addInput(mask);
    expand.addInput(target);
    Value out = g.newValue(g.freshName(name));
    expand.addOutput(out);
    g.insertBefore(att, shape);
    g.insertBefore(att, concat);
    g.insertBefore(att, expand);
    return out;
  }

  /** Dim 1 of q when it is fixed or symbolic (the same symbol means the same size), else null. */
  private static Dim queryLength(Value q) {
    if (q.type() instanceof Type.TensorType t && t.shape().hasRank() && t.shape().rank() == 3) {
      Dim d = t.shape().dim(1);
      return d.isFixed() || d.isSymbolic() ? d : null;
    }
    return null;
  }

  /** A {@link Match}, or the reason there is none. */
  private static Object match(Node softmax, Model model) {
    if (model.defaultOpset() < 23) {
      return "Attention needs opset 23 (model has " + model.defaultOpset() + "; try --opset 23)";
    }
    Value s = softmax.input(0);
    if (Patterns.rank(s) != 4 || !(softmax.intAttr("axis", -1) == -1 || softmax.intAttr("axis", -1) == 3)) {
      return "the Softmax is not over the last axis of a rank-4 tensor";
    }
    List<Node> nodes = new ArrayList<>();
    Value mask = null;
    double scale = 1;
    Node producer = s.producer();
    if (producer != null && producer.is("Add") && Patterns.onlyUser(s) == softmax) {
      Node mm = producer.input(0).producer();
      int scores = mm != null && (mm.is("MatMul") || mm.is("Mul") || mm.is("Div")) ? 0 : 1;
      mask = producer.input(1 - scores);
      if (Patterns.rank(mask) != 4) {
        return "the added mask is not of rank 4";
      }
      nodes.add(producer);
      s = producer.input(scores);
      producer = s.producer();
    }
    if (producer != null && (producer.is("Mul") || producer.is("Div")) && Patterns.onlyUser(s) != null) {
      Value scores = producer.input(0).producer() != null && producer.input(0).producer().is("MatMul") ? producer.input(0) : producer.input(1);
      Double c = producer.is("Div") && scores != producer.input(0) ? null : Patterns.scalar(Patterns.other(producer, scores), producer);
      if (c == null || c == 0) {
        return "the scores are scaled by something other than a constant";
      }
      scale = producer.is("Mul") ? c : 1 / c;
      nodes.add(producer);
      s = scores;
      producer = s.producer();
    }
    if (producer == null || !producer.is("MatMul") || Patterns.onlyUser(s) == null) {
      return "the Softmax does not read Q·Kᵀ (a MatMul read only by it)";
    }
    Node qk = producer;
    Node pv = Patterns.onlyUser(softmax.output(0));
    if (pv == null || !pv.is("MatMul") || pv.input(0) != softmax.output(0)) {
      return "the probabilities are not only multiplied by V";
    }
    Node back = Patterns.onlyUser(pv.output(0));
    if (back == null || !back.is("Transpose") || !Arrays.equals(back.intsAttr("perm", null), new long[] {0, 2, 1, 3})) {
      return "the context is not transposed back with perm [0,2,1,3]";
    }
    Node merge = Patterns.onlyUser(back.output(0));
    long[] mergeShape = merge == null || !merge.is("Reshape") ? null : constantShape(merge);
    Heads qh = heads(qk.input(0), new long[] {0, 2, 1, 3});
    Heads kh = heads(qk.input(1), new long[] {0, 2, 3, 1});
    Heads vh = heads(pv.input(1), new long[] {0, 2, 1, 3});
    for (Heads h : List.of(qh, kh, vh)) {
      if (h.why() != null) {
        return h.why();
      }
    }
    long heads = qh.count();
    if (kh.count() != heads || vh.count() != heads || qh.size() != kh.size()) {
      return "Q, K and V are not split into the same number of heads of one size";
    }
    if (mergeShape == null || !Arrays.equals(mergeShape, new long[] {0, 0, heads * vh.size()})) {
      return "the context is not reshaped back to [0, 0, H·D] by a constant shape";
    }
    if (mask != null && !(isHeadBroadcast(mask, heads))) {
      return "the mask is not [B or 1, 1 or H, 1, T]";
    }
    List<Node> all = new ArrayList<>();
    all.addAll(List.of(qh.reshape(), qh.transpose(), kh.reshape(), kh.transpose(), vh.reshape(), vh.transpose(), qk));
    all.addAll(nodes.reversed());
    all.addAll(List.of(softmax, pv, back, merge));
    return new Match(all, qh.reshape().input(0), kh.reshape().input(0), vh.reshape().input(0), mask, heads, scale, merge.output(0));
  }

  /** A head-split input {@code Transpose(Reshape(x, [0,0,H,D]), perm)}: H heads of size D, or why it is not one. */
  private record Heads(String why, long count, long size, Node reshape, Node transpose) {
    static Heads refused(String why) {
      return new Heads(why, 0, 0, null, null);
    }
  }

  private static Heads heads(Value split, long[] perm) {
    Node t = split.producer();
    if (t == null || !t.is("Transpose") || !Arrays.equals(t.intsAttr("perm", null), perm) || Patterns.onlyUser(split) == null) {
      return Heads.refused("'" + split.name() + "' is not a Transpose with perm " + Arrays.toString(perm) + " read only by attention");
    }
    Node r = t.input(0).producer();
    long[] shape = r == null || !r.is("Reshape") || Patterns.onlyUser(t.input(0)) != t ? null : constantShape(r);
    if (shape == null || shape.length != 4 || shape[0] != 0 || shape[1] != 0 || shape[2] <= 0 || shape[3] <= 0
        || Patterns.rank(r.input(0)) != 3 || Patterns.lastDim(r.input(0)) != shape[2] * shape[3]) {
      return Heads.refused("'" + t.input(0).name() + "' is not a [B,T,H·D] activation reshaped to [0,0,H,D] by a constant");
    }
    return new Heads(null, shape[2], shape[3], r, t);
  }

  /** The constant target shape of a Reshape (allowzero 0), or null. */
  private static long[] constantShape(Node reshape) {
    Value shape = reshape.input(1);
    if (reshape.intAttr("allowzero", 0) != 0 || shape.graph() != reshape.graph() || !shape.isInitializer() || shape.isGraphInput()) {
      return null;
    }
    return shape.initializer().toLongArray();
  }

  /** A rank-4 mask of shape [B or 1, 1 or H, 1, T] (unknown dims accepted where any size would do). */
  private static boolean isHeadBroadcast(Value mask, long heads) {
    if (!(mask.type() instanceof Type.TensorType t) || !t.shape().hasRank()) {
      return false;
    }
    var h = t.shape().dim(1);
    var q = t.shape().dim(2);
    return (h.isFixed() && (h.value() == 1 || h.value() == heads)) && q.isFixed() && q.value() == 1;
  }
}
