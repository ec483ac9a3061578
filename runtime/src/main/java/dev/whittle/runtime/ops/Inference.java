package dev.whittle.runtime.ops;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Type inference building blocks shared by op families. */
public final class Inference {
  private Inference() {}

  /** Same type as input 0 for every output (elementwise unary ops). */
  public static List<Type> sameAsInput0(InferenceContext ctx) {
    return Collections.nCopies(Math.max(ctx.outputCount(), 1), ctx.inputType(0));
  }

  /** Element type of input 0, broadcast shape of all inputs. */
  public static List<Type> broadcastBinary(InferenceContext ctx) {
    return java.util.Collections.singletonList(broadcastOf(ctx, elementType(ctx.inputType(0))));
  }

  /** Broadcast shape of all inputs with the given element type (bool for comparisons). */
  public static Type broadcastOf(InferenceContext ctx, DType elementType) {
    if (elementType == null) {
      return null;
    }
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i < ctx.inputCount(); i++) {
      if (!ctx.hasInput(i)) {
        continue;
      }
      if (!(ctx.inputType(i) instanceof Type.TensorType t) || !t.shape().hasRank()) {
        return new Type.TensorType(elementType, Shape.unknownRank());
      }
      shapes.add(t.shape());
    }
    return new Type.TensorType(elementType, broadcast(shapes));
  }

  /** Symbolic broadcast: a fixed 1 yields to the other dim; equal symbols stay; otherwise unknown. */
  public static Shape broadcast(List<Shape> shapes) {
    int rank = 0;
    for (Shape s : shapes) {
      rank = Math.max(rank, s.rank());
    }
    List<Dim> out = new ArrayList<>(Collections.nCopies(rank, Dim.of(1)));
    for (Shape s : shapes) {
      for (int i = 0; i < s.rank(); i++) {
        int o = rank - s.rank() + i;
        Dim cur = out.get(o);
        Dim d = s.dim(i);
        if (cur.isFixed() && cur.value() == 1) {
          out.set(o, d);
        } else if (d.isFixed() && d.value() == 1) {
          continue;
        } else if (!cur.equals(d)) {
          out.set(o, cur.isFixed() && d.isFixed() ? cur : Dim.unknown());
        }
      }
    }
    return Shape.of(out);
  }

  public static DType elementType(Type t) {
    return t instanceof Type.TensorType tt ? tt.elementType() : null;
  }
}
