package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.Sgemm;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** MatMul with numpy semantics: 1-D operands promoted, batch dimensions broadcast. */
final class MatMulOp {
  private MatMulOp() {}

  static Tensor matmul(Tensor a, Tensor b) {
    ConvOp.requireFloat(a);
    if (a.dtype() != b.dtype()) {
      throw WhittleException.builder("inputs have different element types")
          .found(a.dtype().displayName() + " and " + b.dtype().displayName()).build();
    }
    long[] ad = a.dims();
    long[] bd = b.dims();
    boolean aVec = ad.length == 1;
    boolean bVec = bd.length == 1;
    long[] a2 = aVec ? new long[] {1, ad[0]} : ad;
    long[] b2 = bVec ? new long[] {bd[0], 1} : bd;
    int m = (int) a2[a2.length - 2];
    int k = (int) a2[a2.length - 1];
    int kb = (int) b2[b2.length - 2];
    int n = (int) b2[b2.length - 1];
    if (k != kb) {
      throw WhittleException.builder("inner dimensions do not match")
          .expected("A[..., M, K] x B[..., K, N]").found(Shape.format(ad) + " x " + Shape.format(bd)).build();
    }
    long[] aBatch = Arrays.copyOf(a2, a2.length - 2);
    long[] bBatch = Arrays.copyOf(b2, b2.length - 2);
    long[] batch = Shapes.broadcast(aBatch, bBatch);
    int batches = Shapes.size(batch);
    int[] ia = Shapes.broadcastIndex(aBatch, batch);
    int[] ib = Shapes.broadcastIndex(bBatch, batch);
    float[] av = Casts.toFloats(a);
    float[] bv = Casts.toFloats(b);
    float[] c = new float[batches * m * n];
    Sgemm gemm = Kernels.sgemm();
    for (int i = 0; i < batches; i++) {
      gemm.multiply(m, n, k, 1f, av, ia[i] * m * k, k, false, bv, ib[i] * k * n, n, false, 0f, c, i * m * n, n);
    }
    List<Long> out = new ArrayList<>();
    for (long d : batch) {
      out.add(d);
    }
    if (!aVec) {
      out.add((long) m);
    }
    if (!bVec) {
      out.add((long) n);
    }
    return Casts.fromFloats(a.dtype(), out.stream().mapToLong(Long::longValue).toArray(), c);
  }

  static List<Type> infer(InferenceContext ctx) {
    DType et = Inference.elementType(ctx.inputType(0));
    if (!(ctx.inputType(0) instanceof Type.TensorType at) || !(ctx.inputType(1) instanceof Type.TensorType bt)
        || !at.shape().hasRank() || !bt.shape().hasRank() || et == null) {
      return java.util.Collections.singletonList(et == null ? null : new Type.TensorType(et, Shape.unknownRank()));
    }
    List<Dim> a = new ArrayList<>(at.shape().dims());
    List<Dim> b = new ArrayList<>(bt.shape().dims());
    boolean aVec = a.size() == 1;
    boolean bVec = b.size() == 1;
    if (aVec) {
      a.add(0, Dim.of(1));
    }
    if (bVec) {
      b.add(Dim.of(1));
    }
    Shape batch = Inference.broadcast(List.of(Shape.of(a.subList(0, a.size() - 2)), Shape.of(b.subList(0, b.size() - 2))));
    List<Dim> out = new ArrayList<>(batch.dims());
    if (!aVec) {
      out.add(a.get(a.size() - 2));
    }
    if (!bVec) {
      out.add(b.get(b.size() - 1));
    }
    return List.of(new Type.TensorType(et, Shape.of(out)));
  }
}
