package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.kernels.ConvShape;
import dev.whittle.kernels.Im2Col;
import dev.whittle.kernels.IntegerGemm;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * Integer matrix products and convolutions on (u)int8 data with zero points: MatMulInteger,
 * ConvInteger (int32 results, exact) and QLinearMatMul, QLinearConv (requantized results).
 */
final class IntegerOps {
  private IntegerOps() {}

  /**
   * Integer batched matmul after zero-point subtraction; a/b zero points per-tensor, per-row of A or
   * per-column of B. Exact, through {@link IntegerGemm}; {@code packedB} is B already packed (a
   * constant weight with a constant zero point), or null.
   */
  private static int[] matmulInt(Tensor a, Tensor b, Tensor aZp, Tensor bZp, IntegerGemm packedB, long[][] outDims) {
    long[] ad = a.dims();
    long[] bd = b.dims();
    if (ad.length < 2 || bd.length < 2) {
      throw WhittleException.builder("integer matmul needs operands of rank >= 2").found(Shape.format(ad) + " x " + Shape.format(bd)).build();
    }
    int m = (int) ad[ad.length - 2];
    int k = (int) ad[ad.length - 1];
    int n = (int) bd[bd.length - 1];
    if (bd[bd.length - 2] != k) {
      throw WhittleException.builder("inner dimensions do not match")
          .expected("A[..., M, K] x B[..., K, N]").found(Shape.format(ad) + " x " + Shape.format(bd)).build();
    }
    long[] aBatch = Arrays.copyOf(ad, ad.length - 2);
    long[] bBatch = Arrays.copyOf(bd, bd.length - 2);
    long[] batch = Shapes.broadcast(aBatch, bBatch);
    int[] ia = Shapes.broadcastIndex(aBatch, batch);
    int[] ib = Shapes.broadcastIndex(bBatch, batch);
    long[] av = Casts.toLongs(a);
    long[] az = aZp == null ? new long[] {0} : Casts.toLongs(aZp);
    float[] af = new float[av.length];
    for (int i = 0; i < av.length; i++) {
      af[i] = av[i] - (az.length == 1 ? az[0] : az[(i / k) % m]);
    }
    long[] bv = packedB == null ? Casts.toLongs(b) : null;
    int batches = Shapes.size(batch);
    int[] out = new int[batches * m * n];
    for (int t = 0; t < batches; t++) {
      IntegerGemm g = packedB != null ? packedB : IntegerGemm.pack(k, n, centered(bv, ib[t] * k * n, k, n, bZp), 0);
      g.multiply(m, af, ia[t] * m * k, out, t * m * n);
    }
    long[] od = Arrays.copyOf(batch, batch.length + 2);
    od[batch.length] = m;
    od[batch.length + 1] = n;
    outDims[0] = od;
    return out;
  }

  /** One [k, n] matrix of B at {@code off} minus its zero point (per tensor or per column), as floats. */
  private static float[] centered(long[] bv, int off, int k, int n, Tensor bZp) {
    long[] bz = bZp == null ? new long[] {0} : Casts.toLongs(bZp);
    float[] out = new float[k * n];
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) {
        out[p * n + j] = bv[off + p * n + j] - (bz.length == 1 ? bz[0] : bz[j]);
      }
    }
    return out;
  }

  /**
   * B packed once when it is a constant 2-D weight and its zero point is constant or absent (input
   * {@code zpIndex}); else null, and each run packs it.
   */
  private static IntegerGemm packedWeight(NodeContext ctx, int bIndex, int zpIndex) {
    Tensor b = ctx.constantInput(bIndex);
    Tensor zp = ctx.hasInput(zpIndex) ? ctx.constantInput(zpIndex) : null;
    if (b == null || b.rank() != 2 || (ctx.hasInput(zpIndex) && zp == null)) {
      return null;
    }
    int k = (int) b.dim(0);
    int n = (int) b.dim(1);
    return IntegerGemm.pack(k, n, centered(Casts.toLongs(b), 0, k, n, zp), 0);
  }

  static Kernel matMulInteger(NodeContext ctx) {
    Tensor constB = ctx.constantInput(1);
    Tensor constZp = ctx.constantInput(3);
    IntegerGemm packed = packedWeight(ctx, 1, 3);
    return (in, rc) -> {
      long[][] dims = new long[1][];
      boolean same = in[1] == constB && opt(in, 3) == constZp;
      int[] acc = matmulInt((Tensor) in[0], (Tensor) in[1], opt(in, 2), opt(in, 3), same ? packed : null, dims);
      return new Object[] {Tensor.wrapInts(DType.INT32, dims[0], acc)};
    };
  }

  static Kernel qlinearMatMul(NodeContext ctx) {
    Tensor constB = ctx.constantInput(3);
    Tensor constZp = ctx.constantInput(5);
    IntegerGemm packed = packedWeight(ctx, 3, 5);
    return (in, rc) -> {
      Tensor a = (Tensor) in[0];
      float aScale = Casts.toFloats((Tensor) in[1])[0];
      Tensor b = (Tensor) in[3];
      float[] bScale = Casts.toFloats((Tensor) in[4]);
      Tensor yScale = (Tensor) in[6];
      Tensor yZp = (Tensor) in[7];
      long[][] dims = new long[1][];
      boolean same = in[3] == constB && in[5] == constZp;
      int[] acc = matmulInt(a, b, (Tensor) in[2], (Tensor) in[5], same ? packed : null, dims);
      int n = (int) dims[0][dims[0].length - 1];
      return new Object[] {requantize(acc, dims[0], aScale, bScale, n, 1, Casts.toFloats(yScale)[0], Casts.toLongs(yZp)[0], yZp.dtype())};
    };
  }

  /** Scales int32 accumulators to the output's quantized type; b's scale may vary along {@code channelAxisStride}. */
  private static Tensor requantize(int[] acc, long[] dims, float aScale, float[] bScale, int channels, int channelStride,
      float yScale, long yZp, DType out) {
    long[] q = new long[acc.length];
    for (int i = 0; i < acc.length; i++) {
      float bs = bScale.length == 1 ? bScale[0] : bScale[(i / channelStride) % channels];
      float real = acc[i] * (aScale * bs / yScale);
      q[i] = Quantization.saturate(Math.rint(real) + yZp, out);
    }
    return Casts.fromLongs(out, dims, q);
  }

  private static Tensor opt(Object[] in, int i) {
    return i < in.length ? (Tensor) in[i] : null;
  }

  /** Integer convolution: unfold (x - x_zp) exactly in float, then integer dot products per group. */
  private static int[] convInt(NodeContext ctx, Tensor x, Tensor w, Tensor xZp, Tensor wZp, long[][] outDims) {
    long[] xd = x.dims();
    long[] wd = w.dims();
    long group = ctx.attrInt("group", 1);
    SpatialGeometry g = SpatialGeometry.read(ctx, Arrays.copyOfRange(wd, 2, wd.length));
    long[] spatial = Arrays.copyOfRange(xd, 2, xd.length);
    long[] out = g.outputDims(spatial);
    ConvShape shape = g.convShape(xd, (int) wd[0], (int) group);
    int n = (int) xd[0];
    int c = (int) xd[1];
    int m = (int) wd[0];
    int cg = c / (int) group;
    int mg = m / (int) group;
    int inSize = Shapes.size(spatial);
    int outSize = Shapes.size(out);
    int kSize = Shapes.size(g.kernel);
    long xz = xZp == null ? 0 : Casts.toLongs(xZp)[0];
    long[] wz = wZp == null ? new long[] {0} : Casts.toLongs(wZp);
    long[] xl = Casts.toLongs(x);
    float[] xs = new float[xl.length];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = xl[i] - xz;
    }
    long[] wl = Casts.toLongs(w);
    int[] y = new int[n * m * outSize];
    int rows = cg * kSize;
    float[] cols = new float[rows * outSize];
    for (int img = 0; img < n; img++) {
      for (int gi = 0; gi < group; gi++) {
        Im2Col.unfold(shape, xs, (img * c + gi * cg) * inSize, cg, cols);
        for (int oc = 0; oc < mg; oc++) {
          int ocAll = gi * mg + oc;
          long z = wz.length == 1 ? wz[0] : wz[ocAll];
          int yBase = (img * m + ocAll) * outSize;
          for (int r = 0; r < rows; r++) {
            int wv = (int) (wl[ocAll * rows + r] - z);
            int colBase = r * outSize;
            for (int p = 0; p < outSize; p++) {
              y[yBase + p] += wv * (int) cols[colBase + p];
            }
          }
        }
      }
    }
    long[] yd = new long[xd.length];
    yd[0] = n;
    yd[1] = m;
    System.arraycopy(out, 0, yd, 2, out.length);
    outDims[0] = yd;
    return y;
  }

  static Kernel convInteger(NodeContext ctx) {
    return (in, rc) -> {
      long[][] dims = new long[1][];
      int[] acc = convInt(ctx, (Tensor) in[0], (Tensor) in[1], opt(in, 2), opt(in, 3), dims);
      return new Object[] {Tensor.wrapInts(DType.INT32, dims[0], acc)};
    };
  }

  static Kernel qlinearConv(NodeContext ctx) {
    return (in, rc) -> {
      long[][] dims = new long[1][];
      int[] acc = convInt(ctx, (Tensor) in[0], (Tensor) in[3], (Tensor) in[2], (Tensor) in[5], dims);
      Tensor bias = opt(in, 8);
      int m = (int) dims[0][1];
      int outSize = acc.length / (int) (dims[0][0] * m);
      if (bias != null) {
        long[] bv = Casts.toLongs(bias);
        for (int i = 0; i < acc.length; i++) {
          acc[i] += (int) bv[(i / outSize) % m];
        }
      }
      Tensor yZp = (Tensor) in[7];
      return new Object[] {requantize(acc, dims[0], Casts.toFloats((Tensor) in[1])[0], Casts.toFloats((Tensor) in[4]), m, outSize,
          Casts.toFloats((Tensor) in[6])[0], Casts.toLongs(yZp)[0], yZp.dtype())};
    };
  }

  static List<Type> inferInt32(InferenceContext ctx) {
    return List.of(new Type.TensorType(DType.INT32, Shape.unknownRank()));
  }

  static List<Type> inferQLinear(InferenceContext ctx) {
    DType t = ctx.inputType(7) instanceof Type.TensorType z ? z.elementType() : DType.UINT8;
    return List.of(new Type.TensorType(t, Shape.unknownRank()));
  }
}
