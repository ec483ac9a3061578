package dev.whittle.runtime.ops.control;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.OptionalValue;
import dev.whittle.runtime.SequenceValue;
import dev.whittle.runtime.SubgraphPlan;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import dev.whittle.runtime.ops.tensor.LayoutOps;
import java.util.ArrayList;
import java.util.List;

/** Sequence and Optional ops. */
public final class SequenceOps {
  private SequenceOps() {}

  public static void register(OpRegistry r) {
    r.register("SequenceConstruct", ctx -> (in, rc) -> {
      List<Tensor> items = new ArrayList<>();
      for (Object o : in) {
        items.add((Tensor) o);
      }
      return new Object[] {new SequenceValue(items.get(0).dtype(), items)};
    }, ctx -> java.util.Collections.singletonList(new Type.SequenceType(ctx.inputType(0), null)));
    r.register("SequenceEmpty", ctx -> {
      DType dt = DType.fromCode((int) ctx.attrInt("dtype", DType.FLOAT.code()));
      return (in, rc) -> new Object[] {new SequenceValue(dt, List.of())};
    }, ctx -> java.util.Collections.singletonList(new Type.SequenceType(
        new Type.TensorType(DType.fromCode((int) ctx.attrInt("dtype", 1)), dev.whittle.ir.Shape.unknownRank()), null)));
    r.register("SequenceLength", ctx -> (in, rc) -> new Object[] {Tensor.scalar((long) ControlOps.seq(in[0]).items().size())},
        ctx -> List.of(Type.tensor(DType.INT64)));
    r.register("SequenceAt", ctx -> (in, rc) -> {
      SequenceValue s = ControlOps.seq(in[0]);
      return new Object[] {s.items().get(position(in[1], s.items().size(), false))};
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.SequenceType st ? st.elementType() : null));
    r.register("SequenceInsert", ctx -> (in, rc) -> {
      SequenceValue s = ControlOps.seq(in[0]);
      List<Tensor> items = new ArrayList<>(s.items());
      int pos = in.length > 2 && in[2] != null ? position(in[2], items.size(), true) : items.size();
      items.add(pos, (Tensor) in[1]);
      return new Object[] {new SequenceValue(s.elementType(), items)};
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0)));
    r.register("SequenceErase", ctx -> (in, rc) -> {
      SequenceValue s = ControlOps.seq(in[0]);
      List<Tensor> items = new ArrayList<>(s.items());
      items.remove(in.length > 1 && in[1] != null ? position(in[1], items.size(), false) : items.size() - 1);
      return new Object[] {new SequenceValue(s.elementType(), items)};
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0)));
    r.register("ConcatFromSequence", ctx -> {
      long axis = ctx.requireAttr("axis").i();
      boolean newAxis = ctx.attrInt("new_axis", 0) != 0;
      return (in, rc) -> new Object[] {concat(ControlOps.seq(in[0]).items().toArray(), axis, newAxis)};
    }, ctx -> java.util.Collections.singletonList(null));
    r.register("SplitToSequence", ctx -> {
      long axis = ctx.attrInt("axis", 0);
      boolean keepDims = ctx.attrInt("keepdims", 1) != 0;
      return (in, rc) -> new Object[] {splitToSequence((Tensor) in[0], in.length > 1 ? (Tensor) in[1] : null, axis, keepDims)};
    }, ctx -> java.util.Collections.singletonList(new Type.SequenceType(null, null)));
    r.register("SequenceMap", SequenceOps::sequenceMap, ctx -> java.util.Collections.nCopies(ctx.outputCount(), null));
    r.register("Optional", ctx -> (in, rc) -> new Object[] {in.length > 0 && in[0] != null ? new OptionalValue(in[0]) : OptionalValue.EMPTY},
        ctx -> java.util.Collections.singletonList(new Type.OptionalType(ctx.inputType(0), null)));
    r.register("OptionalHasElement", ctx -> (in, rc) -> {
      boolean has = in.length > 0 && in[0] != null && (!(in[0] instanceof OptionalValue o) || o.isPresent());
      return new Object[] {Tensor.wrapBytes(DType.BOOL, new long[0], new byte[] {(byte) (has ? 1 : 0)})};
    }, ctx -> List.of(Type.tensor(DType.BOOL)));
    r.register("OptionalGetElement", ctx -> (in, rc) -> {
      Object v = in[0];
      if (v instanceof OptionalValue o) {
        if (!o.isPresent()) {
          throw WhittleException.builder("OptionalGetElement on an empty optional").build();
        }
        v = o.value();
      }
      return new Object[] {v};
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.OptionalType ot ? ot.elementType() : ctx.inputType(0)));
  }

  private static int position(Object t, int size, boolean insert) {
    long p = Casts.toLongs((Tensor) t)[0];
    long q = p < 0 ? p + size : p;
    if (q < 0 || q > size || (!insert && q == size)) {
      throw WhittleException.builder("sequence position out of range")
          .expected("a position in [" + (-size) + ", " + (insert ? size : size - 1) + "]").found(Long.toString(p)).build();
    }
    return (int) q;
  }

  /** Concatenates along {@code axis}, or stacks along a new axis when {@code newAxis}. */
  public static Tensor concat(Object[] items, long axis, boolean newAxis) {
    if (!newAxis) {
      return LayoutOps.concat(items, axis);
    }
    Tensor first = (Tensor) items[0];
    int rank = first.rank() + 1;
    int ax = Shapes.axis(axis, rank);
    Object[] expanded = new Object[items.length];
    for (int i = 0; i < items.length; i++) {
      Tensor t = (Tensor) items[i];
      long[] d = new long[rank];
      for (int k = 0, j = 0; k < rank; k++) {
        d[k] = k == ax ? 1 : t.dim(j++);
      }
      expanded[i] = t.reshaped(d);
    }
    return LayoutOps.concat(expanded, ax);
  }

  private static SequenceValue splitToSequence(Tensor x, Tensor split, long axisAttr, boolean keepDims) {
    int axis = Shapes.axis(axisAttr, x.rank());
    Object[] parts;
    boolean squeeze = false;
    if (split == null) {
      parts = LayoutOps.split(x, axis, null, (int) x.dim(axis));
      squeeze = !keepDims;
    } else if (split.rank() == 0) {
      long chunk = Casts.toLongs(split)[0];
      int count = (int) ((x.dim(axis) + chunk - 1) / chunk);
      long[] sizes = new long[count];
      for (int i = 0; i < count; i++) {
        sizes[i] = Math.min(chunk, x.dim(axis) - i * chunk);
      }
      parts = LayoutOps.split(x, axis, sizes, count);
    } else {
      long[] sizes = Casts.toLongs(split);
      parts = LayoutOps.split(x, axis, sizes, sizes.length);
    }
    List<Tensor> items = new ArrayList<>();
    for (Object p : parts) {
      Tensor t = (Tensor) p;
      if (squeeze) {
        long[] d = new long[t.rank() - 1];
        for (int k = 0, j = 0; k < t.rank(); k++) {
          if (k != axis) {
            d[j++] = t.dim(k);
          }
        }
        t = t.reshaped(d);
      }
      items.add(t);
    }
    return new SequenceValue(x.dtype(), items);
  }

  /** Runs the body once per element of the first (sequence) input; other sequence inputs advance alongside. */
  private static Kernel sequenceMap(NodeContext ctx) {
    SubgraphPlan body = ctx.subgraph("body");
    return (in, rc) -> {
      int n = ControlOps.seq(in[0]).items().size();
      int outs = body.outputCount();
      List<List<Tensor>> results = new ArrayList<>();
      for (int o = 0; o < outs; o++) {
        results.add(new ArrayList<>());
      }
      for (int i = 0; i < n; i++) {
        Object[] args = new Object[in.length];
        for (int k = 0; k < in.length; k++) {
          args[k] = in[k] instanceof SequenceValue s ? s.items().get(i) : in[k];
        }
        Object[] out = rc.run(body, args);
        for (int o = 0; o < outs; o++) {
          results.get(o).add((Tensor) out[o]);
        }
      }
      Object[] result = new Object[outs];
      for (int o = 0; o < outs; o++) {
        Type t = body.graph().outputs().get(o).type();
        DType dt = t instanceof Type.TensorType tt ? tt.elementType()
            : results.get(o).isEmpty() ? DType.FLOAT : results.get(o).get(0).dtype();
        result[o] = new SequenceValue(dt, results.get(o));
      }
      return result;
    };
  }
}
