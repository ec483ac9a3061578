package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.kernels.Kernels;
import dev.whittle.runtime.ops.Shapes;
import java.util.List;

/** Gemm: Y = alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N]. */
final class GemmOp {
  private GemmOp() {}

  static Kernel create(NodeContext ctx) {
    float alpha = ctx.attrFloat("alpha", 1f);
    float beta = ctx.attrFloat("beta", 1f);
    boolean transA = ctx.attrInt("transA", 0) != 0;
    boolean transB = ctx.attrInt("transB", 0) != 0;
    return (in, rc) -> {
      Tensor a = (Tensor) in[0];
      Tensor b = (Tensor) in[1];
      Tensor c = in.length > 2 ? (Tensor) in[2] : null;
      ConvOp.requireFloat(a);
      int m = (int) (transA ? a.dim(1) : a.dim(0));
      int k = (int) (transA ? a.dim(0) : a.dim(1));
      int n = (int) (transB ? b.dim(0) : b.dim(1));
      float[] y = new float[m * n];
      boolean withC = c != null && beta != 0f;
      if (withC) {
        int[] ic = Shapes.broadcastIndex(c.dims(), new long[] {m, n});
        float[] cv = Casts.toFloats(c);
        for (int i = 0; i < y.length; i++) {
          y[i] = cv[ic[i]];
        }
      }
      Kernels.sgemm().multiply(m, n, k, alpha, Casts.toFloats(a), 0, transA ? m : k, transA,
          Casts.toFloats(b), 0, transB ? k : n, transB, withC ? beta : 0f, y, 0, n);
      return new Object[] {Casts.fromFloats(a.dtype(), new long[] {m, n}, y)};
    };
  }

  static List<Type> infer(InferenceContext ctx) {
    if (!(ctx.inputType(0) instanceof Type.TensorType at) || !(ctx.inputType(1) instanceof Type.TensorType bt)
        || !at.shape().hasRank() || !bt.shape().hasRank()) {
      return java.util.Collections.singletonList(null);
    }
    boolean transA = ctx.attrInt("transA", 0) != 0;
    boolean transB = ctx.attrInt("transB", 0) != 0;
    Dim m = at.shape().dim(transA ? 1 : 0);
    Dim n = bt.shape().dim(transB ? 0 : 1);
    return List.of(new Type.TensorType(Inference.elementType(at), Shape.of(List.of(m, n))));
  }
}
