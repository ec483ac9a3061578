package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.PackedMatrix;
import dev.whittle.kernels.Sgemm;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.Parallel;
import dev.whittle.runtime.RunContext;
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

  /** MatMul; a constant 2-D right-hand side (a weight) is packed once for the SIMD kernel. */
  static Kernel create(NodeContext ctx) {
    Tensor constB = ctx.constantInput(1);
    PackedMatrix packed = constB != null && constB.rank() == 2 && constB.dtype() == DType.FLOAT
        ? Kernels.sgemm().pack((int) constB.dim(0), (int) constB.dim(1), constB.floatsView(), 0, (int) constB.dim(1), false)
        : null;
    return (in, rc) -> new Object[] {matmul((Tensor) in[0], (Tensor) in[1], in[1] == constB ? packed : null, rc)};
  }

  static Tensor matmul(Tensor a, Tensor b, PackedMatrix packedB, RunContext rc) {
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
    float[] bv = packedB == null ? Casts.toFloats(b) : null;
    float[] c = new float[batches * m * n];
    Sgemm gemm = Kernels.sgemm();
    // Work items: every batch, and within a batch blocks of rows, spread over the session's threads.
    int rowBlocks = Parallel.blocks(rc, m, 16);
    int rowsPerBlock = (m + rowBlocks - 1) / rowBlocks;
    Parallel.forEach(rc, batches * rowBlocks, t -> {
      int i = t / rowBlocks;
      int r0 = (t % rowBlocks) * rowsPerBlock;
      int rows = Math.min(rowsPerBlock, m - r0);
      if (rows <= 0) {
        return;
      }
      int aOff = ia[i] * m * k + r0 * k;
      int cOff = i * m * n + r0 * n;
      if (packedB != null) {
        gemm.multiplyPacked(rows, 1f, av, aOff, k, false, packedB, 0f, c, cOff, n);
      } else {
        gemm.multiply(rows, n, k, 1f, av, aOff, k, false, bv, ib[i] * k * n, n, false, 0f, c, cOff, n);
      }
    });
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
