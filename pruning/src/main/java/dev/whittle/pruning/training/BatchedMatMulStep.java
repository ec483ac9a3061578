package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.Sgemm;
import dev.whittle.kernels.Kernels;
import java.util.Arrays;

/**
 * MatMul of two operands of rank >= 2 whose leading (batch) dims broadcast, such as attention's
 * scores Q·Kᵀ and its weighted sum P·V: one SGEMM per batch, forward and backward
 * (dA = dY·Bᵀ, dB = Aᵀ·dY per batch, summed over the batches an operand was broadcast to).
 */
final class BatchedMatMulStep implements Step {
  private final Node node;
  private final int index;
  private final int a;
  private final int b;
  private final int y;

  /** Rows, inner and columns of each product; per batch, the matrix of A and of B it reads. */
  private record Saved(int m, int k, int n, int[] batchA, int[] batchB) {}

  BatchedMatMulStep(Node node, int index, int a, int b, int y) {
    this.node = node;
    this.index = index;
    this.a = a;
    this.b = b;
    this.y = y;
  }

  @Override
  public void forward(Tape t) {
    int[] ad = t.dims[a];
    int[] bd = t.dims[b];
    if (ad.length < 2 || bd.length < 2 || ad[ad.length - 1] != bd[bd.length - 2]) {
      throw node.error("operands do not multiply").expected("[..., m, k] · [..., k, n]")
          .found(Arrays.toString(ad) + " · " + Arrays.toString(bd)).build();
    }
    int m = ad[ad.length - 2];
    int k = ad[ad.length - 1];
    int n = bd[bd.length - 1];
    int[] aBatch = Arrays.copyOf(ad, ad.length - 2);
    int[] bBatch = Arrays.copyOf(bd, bd.length - 2);
    int[] batch = Broadcast.dims(aBatch, bBatch);
    if (batch == null) {
      throw node.error("batch dims do not broadcast").expected("numpy-broadcastable leading dims")
          .found(Arrays.toString(ad) + " · " + Arrays.toString(bd)).build();
    }
    int[] batchA = Broadcast.indices(batch, aBatch);
    int[] batchB = Broadcast.indices(batch, bBatch);
    int[] yd = Arrays.copyOf(batch, batch.length + 2);
    yd[batch.length] = m;
    yd[batch.length + 1] = n;
    float[] out = t.output(y, yd);
    Sgemm g = Kernels.sgemm();
    for (int i = 0; i < batchA.length; i++) {
      g.multiply(m, n, k, 1f, t.data[a], batchA[i] * m * k, k, false, t.data[b], batchB[i] * k * n, n, false, 0f, out, i * m * n, n);
    }
    t.saved[index] = new Saved(m, k, n, batchA, batchB);
  }

  @Override
  public void backward(Tape t) {
    Saved s = (Saved) t.saved[index];
    float[] dy = t.gradIfAny(y);
    float[] da = t.grad(a);
    float[] db = t.grad(b);
    int m = s.m();
    int k = s.k();
    int n = s.n();
    Sgemm g = Kernels.sgemm();
    for (int i = 0; i < s.batchA().length; i++) {
      int offA = s.batchA()[i] * m * k;
      int offB = s.batchB()[i] * k * n;
      if (da != null) {
        g.multiply(m, k, n, 1f, dy, i * m * n, n, false, t.data[b], offB, n, true, 1f, da, offA, k);
      }
      if (db != null) {
        g.multiply(k, n, m, 1f, t.data[a], offA, k, true, dy, i * m * n, n, false, 1f, db, offB, n);
      }
    }
  }
}
