package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.Kernels;
import dev.whittle.kernels.Sgemm;
import java.util.Arrays;

/**
 * Gemm (Y = alpha·op(A)·op(B) + beta·C, transA/transB, C broadcast to Y) and MatMul with a 2-D
 * right operand (A's leading dims are rows). Backward with the SGEMM kernel:
 * dop(A) = alpha·dY·op(B)ᵀ, dop(B) = alpha·op(A)ᵀ·dY, dC = beta·Σ dY over C's broadcast positions.
 */
final class DenseStep implements Step {
  private final Node node;
  private final int index;
  private final int a;
  private final int b;
  private final int c;
  private final int y;
  private final boolean gemm;
  private final boolean transA;
  private final boolean transB;
  private final float alpha;
  private final float beta;

  /** Rows, inner and columns of the product; where C's elements go. */
  private record Saved(int m, int k, int n, int[] ic) {}

  DenseStep(Node node, int index, int a, int b, int c, int y) {
    this.node = node;
    this.index = index;
    this.a = a;
    this.b = b;
    this.c = c;
    this.y = y;
    this.gemm = node.is("Gemm");
    this.transA = gemm && node.intAttr("transA", 0) != 0;
    this.transB = gemm && node.intAttr("transB", 0) != 0;
    this.alpha = gemm ? node.floatAttr("alpha", 1f) : 1f;
    this.beta = gemm ? node.floatAttr("beta", 1f) : 1f;
  }

  @Override
  public void forward(Tape t) {
    int[] ad = t.dims[a];
    int[] bd = t.dims[b];
    boolean okA = gemm ? ad.length == 2 : ad.length >= 1;
    if (!okA || bd.length != 2) {
      throw node.error("operand ranks not supported for training").expected(gemm ? "A and B of rank 2" : "A of rank >= 1, B of rank 2")
          .found(Arrays.toString(ad) + " and " + Arrays.toString(bd)).build();
    }
    int k = transB ? bd[1] : bd[0];
    int n = transB ? bd[0] : bd[1];
    int ak = transA ? ad[0] : ad[ad.length - 1];
    if (ak != k) {
      throw node.error("inner dims differ").expected(Integer.toString(k)).found(Arrays.toString(ad) + " · " + Arrays.toString(bd)).build();
    }
    int m = Shapes.size(ad) / k;
    int[] yd;
    if (gemm) {
      yd = new int[] {m, n};
    } else {
      yd = Arrays.copyOf(ad, ad.length);
      yd[yd.length - 1] = n;
    }
    float[] out = t.output(y, yd);
    Kernels.sgemm().multiply(m, n, k, alpha, t.data[a], 0, ad[ad.length - 1], transA, t.data[b], 0, bd[1], transB, 0f, out, 0, n);
    int[] ic = null;
    if (c >= 0) {
      if (Broadcast.dims(yd, t.dims[c]) == null || !Arrays.equals(Broadcast.dims(yd, t.dims[c]), yd)) {
        throw node.error("C does not broadcast to the product").expected(Arrays.toString(yd)).found(Arrays.toString(t.dims[c])).build();
      }
      ic = Broadcast.indices(yd, t.dims[c]);
      float[] vc = t.data[c];
      for (int i = 0; i < out.length; i++) {
        out[i] += beta * vc[ic[i]];
      }
    }
    t.saved[index] = new Saved(m, k, n, ic);
  }

  @Override
  public void backward(Tape t) {
    Saved s = (Saved) t.saved[index];
    float[] dy = t.gradIfAny(y);
    float[] da = t.grad(a);
    float[] db = t.grad(b);
    float[] dc = c < 0 ? null : t.grad(c);
    int lda = t.dims[a][t.dims[a].length - 1];
    int ldb = t.dims[b][1];
    Sgemm g = Kernels.sgemm();
    int m = s.m();
    int k = s.k();
    int n = s.n();
    if (da != null) {
      if (transA) {
        g.multiply(k, m, n, alpha, t.data[b], 0, ldb, transB, dy, 0, n, true, 1f, da, 0, m);
      } else {
        g.multiply(m, k, n, alpha, dy, 0, n, false, t.data[b], 0, ldb, !transB, 1f, da, 0, k);
      }
    }
    if (db != null) {
      if (transB) {
        g.multiply(n, k, m, alpha, dy, 0, n, true, t.data[a], 0, lda, transA, 1f, db, 0, k);
      } else {
        g.multiply(k, n, m, alpha, t.data[a], 0, lda, !transA, dy, 0, n, false, 1f, db, 0, n);
      }
    }
    if (dc != null) {
      for (int i = 0; i < dy.length; i++) {
        dc[s.ic()[i]] += beta * dy[i];
      }
    }
  }
}
