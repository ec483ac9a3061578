package dev.whittle.pruning;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Output channels that must be removed together, and everything that removing them touches: the
 * producer layers (one, or several joined by residual Adds), every value the channels flow through
 * (with where they sit in it), the constants and attributes to cut down on the way, and the
 * consumer layers whose input channels shrink. Found by {@link ChannelTracer}; applying it is a
 * set of slices, so a group is either understood completely or not touched.
 */
final class ChannelGroup {
  /** One change to make when channels go. */
  sealed interface Edit {}

  /** Keep only the staying positions of {@code axis} of the constant input {@code input} of {@code node}. */
  record Slice(Node node, int input, int axis, ChannelMap map) implements Edit {}

  /** A depthwise Conv: its group count becomes the number of channels left. */
  record Groups(Node node, ChannelMap inputMap) implements Edit {}

  /** A Reshape to [N, C·rest]: entry 1 of its constant target becomes (channels left)·{@code perEntry}. */
  record ReshapeTarget(Node node, ChannelMap map, long perEntry) implements Edit {}

  final int channels;
  final List<PrunableLayer> producers = new ArrayList<>();
  final Map<Value, ChannelMap> values;
  final List<Edit> edits;
  final List<Node> consumers;

  ChannelGroup(int channels, List<PrunableLayer> producers, Map<Value, ChannelMap> values, List<Edit> edits, List<Node> consumers) {
    this.channels = channels;
    this.producers.addAll(producers);
    this.values = values;
    this.edits = edits;
    this.consumers = consumers;
  }

  /**
   * Removes the channels whose {@code kept} entry is false: slices every recorded constant, sets
   * group counts and Reshape targets, and updates the declared shapes of the values the channels
   * flow through (and {@code shapes}, the inferred ones). A constant another node also reads is
   * copied, not changed under that node.
   */
  void apply(Model model, boolean[] kept, Map<String, Type.TensorType> shapes) {
    Graph g = model.graph();
    for (Edit e : edits) {
      switch (e) {
        case Slice s -> replaceConstant(g, s.node(), s.input(),
            TensorSlices.keep(s.node().input(s.input()).initializer(), s.axis(), s.map().keptPositions(kept)));
        case Groups d -> d.node().setAttribute(Attribute.of("group", (long) d.inputMap().keptEntries(kept)));
        case ReshapeTarget r -> {
          long[] target = r.node().input(1).initializer().toLongArray();
          target[1] = r.map().keptEntries(kept) * r.perEntry();
          replaceConstant(g, r.node(), 1, Tensor.ofLongs(new long[] {target.length}, target));
        }
      }
    }
    for (Map.Entry<Value, ChannelMap> e : values.entrySet()) {
      long size = (long) e.getValue().keptEntries(kept) * e.getValue().block();
      int axis = e.getValue().axis();
      Value v = e.getKey();
      v.setType(resized(v.type(), axis, size));
      Type.TensorType known = shapes.get(v.name());
      if (known != null) {
        shapes.put(v.name(), (Type.TensorType) resized(known, axis, size));
      }
    }
  }

  /** The type with dim {@code axis} set to {@code size} where that dim was a number; other types unchanged. */
  private static Type resized(Type t, int axis, long size) {
    if (!(t instanceof Type.TensorType tt) || !tt.shape().hasRank() || tt.shape().rank() <= axis
        || !tt.shape().dim(axis).isFixed()) {
      return t;
    }
    List<Dim> dims = new ArrayList<>(tt.shape().dims());
    dims.set(axis, Dim.of(size).withDenotation(dims.get(axis).denotation()));
    return new Type.TensorType(tt.elementType(), Shape.of(dims), tt.denotation());
  }

  private static void replaceConstant(Graph g, Node node, int input, Tensor t) {
    Value c = node.input(input);
    if (c.uses().size() == 1 && !c.isGraphOutput()) {
      g.setInitializer(c, t);
      c.setType(t.type());
    } else {
      node.setInput(input, g.addInitializer(c.name(), t));
    }
  }
}
