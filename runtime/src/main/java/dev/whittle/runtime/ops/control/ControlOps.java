package dev.whittle.runtime.ops.control;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.SequenceValue;
import dev.whittle.runtime.SubgraphPlan;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.List;

/** If and Loop: subgraphs compiled once per node, run per call with outer values in scope. */
public final class ControlOps {
  private ControlOps() {}

  public static void register(OpRegistry r) {
    r.register("If", ControlOps::ifOp, ControlOps::inferIf);
    r.register("Loop", ControlOps::loop, ControlOps::inferLoop);
  }

  private static Kernel ifOp(NodeContext ctx) {
    SubgraphPlan then = ctx.subgraph("then_branch");
    SubgraphPlan otherwise = ctx.subgraph("else_branch");
    return (in, rc) -> {
      boolean cond = ((Tensor) in[0]).bytesView()[0] != 0;
      return rc.run(cond ? then : otherwise, new Object[0]);
    };
  }

  /**
   * Loop(M, cond, v...): body(iteration, cond, v...) returns (cond', v'..., scan...); scan outputs
   * of all iterations are stacked along a new first axis.
   */
  private static Kernel loop(NodeContext ctx) {
    SubgraphPlan body = ctx.subgraph("body");
    List<Value> bodyOutputs = body.graph().outputs();
    return (in, rc) -> {
      Tensor maxTrips = in.length > 0 ? (Tensor) in[0] : null;
      Tensor condIn = in.length > 1 ? (Tensor) in[1] : null;
      long max = maxTrips == null ? Long.MAX_VALUE : Casts.toLongs(maxTrips)[0];
      boolean cond = condIn == null || condIn.bytesView()[0] != 0;
      int carried = Math.max(0, in.length - 2);
      Object[] state = new Object[carried];
      System.arraycopy(in, 2, state, 0, carried);
      int scans = bodyOutputs.size() - 1 - carried;
      List<List<Tensor>> scanValues = new ArrayList<>();
      for (int s = 0; s < scans; s++) {
        scanValues.add(new ArrayList<>());
      }
      for (long i = 0; i < max && cond; i++) {
        Object[] args = new Object[2 + carried];
        args[0] = Tensor.scalar(i);
        args[1] = Tensor.wrapBytes(DType.BOOL, new long[0], new byte[] {1});
        System.arraycopy(state, 0, args, 2, carried);
        Object[] out = rc.run(body, args);
        cond = ((Tensor) out[0]).bytesView()[0] != 0;
        System.arraycopy(out, 1, state, 0, carried);
        for (int s = 0; s < scans; s++) {
          scanValues.get(s).add((Tensor) out[1 + carried + s]);
        }
      }
      Object[] result = new Object[carried + scans];
      System.arraycopy(state, 0, result, 0, carried);
      for (int s = 0; s < scans; s++) {
        result[carried + s] = stack(scanValues.get(s), bodyOutputs.get(1 + carried + s));
      }
      return result;
    };
  }

  /** Stacks equal-shaped tensors along a new axis 0; an empty list gives a [0, ...] tensor of the declared type. */
  static Tensor stack(List<Tensor> items, Value declared) {
    if (items.isEmpty()) {
      DType dt = declared.type() instanceof Type.TensorType t ? t.elementType() : DType.FLOAT;
      return Casts.fromDoubles(dt, new long[] {0}, new double[0]);
    }
    Tensor first = items.get(0);
    long[] dims = new long[first.rank() + 1];
    dims[0] = items.size();
    System.arraycopy(first.dims(), 0, dims, 1, first.rank());
    Object[] parts = new Object[items.size()];
    for (int i = 0; i < parts.length; i++) {
      Tensor t = items.get(i);
      if (!java.util.Arrays.equals(t.dims(), first.dims())) {
        throw WhittleException.builder("scan outputs of different iterations differ in shape")
            .found(Shape.format(first.dims()) + " and " + Shape.format(t.dims())).build();
      }
      parts[i] = t.reshaped(new long[] {t.elementCount()});
    }
    return concatFlat(parts).reshaped(dims);
  }

  private static Tensor concatFlat(Object[] parts) {
    return dev.whittle.runtime.ops.tensor.LayoutOps.concat(parts, 0);
  }

  /** Each output is what both branches agree on: same rank keeps equal dims; different ranks give unknown rank. */
  private static List<Type> inferIf(InferenceContext ctx) {
    dev.whittle.ir.Attribute then = ctx.attr("then_branch");
    dev.whittle.ir.Attribute otherwise = ctx.attr("else_branch");
    List<Type> out = new ArrayList<>();
    for (int i = 0; i < ctx.outputCount(); i++) {
      out.add(common(branchType(then, i), branchType(otherwise, i)));
    }
    return out;
  }

  private static Type branchType(dev.whittle.ir.Attribute branch, int i) {
    return branch == null || branch.value() == null || i >= branch.g().outputs().size() ? null : branch.g().outputs().get(i).type();
  }

  private static Type common(Type a, Type b) {
    if (a == null || b == null) {
      return null;
    }
    if (a.equals(b)) {
      return a;
    }
    if (!(a instanceof Type.TensorType ta) || !(b instanceof Type.TensorType tb) || ta.elementType() != tb.elementType()) {
      return null;
    }
    if (!ta.shape().hasRank() || !tb.shape().hasRank() || ta.shape().rank() != tb.shape().rank()) {
      return new Type.TensorType(ta.elementType(), Shape.unknownRank());
    }
    List<dev.whittle.ir.Dim> dims = new ArrayList<>();
    for (int d = 0; d < ta.shape().rank(); d++) {
      dev.whittle.ir.Dim x = ta.shape().dim(d);
      dims.add(x.equals(tb.shape().dim(d)) ? x : dev.whittle.ir.Dim.unknown());
    }
    return new Type.TensorType(ta.elementType(), Shape.of(dims));
  }

  private static List<Type> inferLoop(InferenceContext ctx) {
    List<Type> out = new ArrayList<>();
    int carried = Math.max(0, ctx.inputCount() - 2);
    for (int i = 0; i < ctx.outputCount(); i++) {
      out.add(i < carried ? ctx.inputType(2 + i) : null);
    }
    return out;
  }

  static SequenceValue seq(Object o) {
    if (o instanceof SequenceValue s) {
      return s;
    }
    throw WhittleException.builder("expected a sequence").found(o == null ? "nothing" : o.getClass().getSimpleName()).build();
  }
}
