package dev.whittle.quantization;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the MatMuls that read one activation (a transformer's query, key and value projections)
 * into one MatMul over their weights side by side, one bias Add and a Split. In dynamic mode that is
 * one DynamicQuantizeLinear-fed int8 product instead of several smaller ones, each a kernel call of its
 * own. Only with per-channel weights: each output column keeps the scale it had alone, so the int8
 * model computes exactly what it would have unmerged.
 */
final class SiblingMatMuls {
  private SiblingMatMuls() {}

  /** One merge: the merged MatMul's name and the names of the nodes it replaces, in order. */
  record Merge(String node, List<String> members) {}

  /** A member: the MatMul, its weight [K, N] and the Add of its bias (null when it has none). */
  private record Member(Node matMul, Tensor weight, Node biasAdd, Value bias) {
    Value result() {
      return biasAdd == null ? matMul.output(0) : biasAdd.output(0);
    }
  }

  /** Merges every group of two or more mergeable MatMuls that {@code o} quantizes dynamically; returns the merges. */
  static List<Merge> merge(Model m, QuantizationOptions o) {
    Map<Value, List<Member>> groups = new LinkedHashMap<>();
    for (Map.Entry<Node, String> e : ModelQuantizer.candidates(m, o).entrySet()) {
      Node n = e.getKey();
      Member member = e.getValue() == null && n.opType().equals("MatMul") && !o.weightOnly().contains(n.name())
          && !ModelQuantizer.perToken(n, o) ? member(n) : null;
      if (member != null) {
        groups.computeIfAbsent(n.input(0), v -> new ArrayList<>()).add(member);
      }
    }
    List<Merge> merges = new ArrayList<>();
    for (Map.Entry<Value, List<Member>> e : groups.entrySet()) {
      List<Member> members = e.getValue();
      boolean sameK = members.stream().allMatch(x -> x.weight.dim(0) == members.get(0).weight.dim(0));
      boolean biases = members.stream().allMatch(x -> x.biasAdd != null);
      boolean none = members.stream().allMatch(x -> x.biasAdd == null);
      if (members.size() >= 2 && sameK && (biases || none)) {
        merges.add(rewrite(m, e.getKey(), members));
      }
    }
    return merges;
  }

  /** A MatMul with a 2-D float weight whose result (after its bias Add, if any) is not a graph output; else null. */
  private static Member member(Node n) {
    Value x = n.input(0);
    Tensor w = n.input(1).initializer();
    if (x.isInitializer() || w == null || w.rank() != 2 || w.dtype() != DType.FLOAT || n.output(0).isGraphOutput()) {
      return null;
    }
    List<Node> users = n.output(0).consumers();
    if (users.size() == 1 && users.get(0).opType().equals("Add") && users.get(0).isStandard()) {
      Node add = users.get(0);
      Value other = add.input(0) == n.output(0) ? add.input(1) : add.input(0);
      Tensor b = other.initializer();
      if (add.input(0) != add.input(1) && b != null && b.dtype() == DType.FLOAT && b.rank() == 1 && b.dim(0) == w.dim(1)
          && !add.output(0).isGraphOutput()) {
        return new Member(n, w, add, other);
      }
    }
    return new Member(n, w, null, null);
  }

  private static Merge rewrite(Model m, Value x, List<Member> members) {
    Graph g = m.graph();
    int k = (int) members.get(0).weight.dim(0);
    int total = 0;
    long[] widths = new long[members.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = members.get(i).weight.dim(1);
      total += (int) widths[i];
    }
    float[] w = new float[k * total];
    float[] b = new float[total];
    int offset = 0;
    for (Member member : members) {
      float[] wi = member.weight.toFloatArray();
      int n = wi.length / k;
      for (int row = 0; row < k; row++) {
        System.arraycopy(wi, row * n, w, row * total + offset, n);
      }
      if (member.bias != null) {
        System.arraycopy(member.bias.initializer().toFloatArray(), 0, b, offset, n);
      }
      offset += n;
    }
    Node first = members.get(0).matMul;
    String name = first.name() + "_merged";
    Node mm = new Node("MatMul", "", g.freshName(name));
    mm.addInput(x);
    mm.addInput(g.addInitializer(name + "_weight", Tensor.wrapFloats(new long[] {k, total}, w)));
    Value product = g.newValue(g.freshName(name + "_output"));
    mm.addOutput(product);
    g.insertBefore(first, mm);
    Value joined = product;
    if (members.get(0).biasAdd != null) {
      Node add = new Node("Add", "", g.freshName(name + "_bias"));
      add.addInput(product);
      add.addInput(g.addInitializer(name + "_bias", Tensor.wrapFloats(new long[] {total}, b)));
      joined = g.newValue(g.freshName(name + "_biased"));
      add.addOutput(joined);
      g.insertBefore(first, add);
    }
    Node split = new Node("Split", "", g.freshName(name + "_split"));
    split.addInput(joined);
    split.setAttribute(Attribute.of("axis", -1L));
    if (m.defaultOpset() >= 13) {
      split.addInput(g.addInitializer(name + "_widths", Tensor.ofLongs(new long[] {widths.length}, widths)));
    } else {
      split.setAttribute(Attribute.ofInts("split", widths));
    }
    g.insertBefore(first, split);
    List<String> names = new ArrayList<>();
    for (Member member : members) {
      Value old = member.result();
      String oldName = old.name();
      Value part = g.newValue(g.freshName(oldName + "_part"), old.type());
      split.addOutput(part);
      old.replaceAllUsesWith(part);
      Value weight = member.matMul.input(1);
      if (member.biasAdd != null) {
        g.removeNode(member.biasAdd);
        dropIfUnused(g, member.bias);
      }
      g.removeNode(member.matMul);
      dropIfUnused(g, weight);
      part.rename(oldName); // the value keeps its name: only the nodes computing it changed
      names.add(member.matMul.name());
    }
    return new Merge(mm.name(), names);
  }

  private static void dropIfUnused(Graph g, Value v) {
    if (v.isInitializer() && !v.isUsed() && !v.isGraphInput() && !v.isGraphOutput()) {
      g.removeInitializer(v);
      g.removeValue(v);
    }
  }
}
