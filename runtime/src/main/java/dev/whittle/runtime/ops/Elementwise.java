package dev.whittle.runtime.ops;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;

/**
 * Broadcasting elementwise evaluation in the compute form that fits the element type: float for
 * float32/float16/bfloat16 (rounded back), double for float64, long for integers and bool (results
 * wrap to the type's width, as ONNX Runtime and numpy do).
 */
public final class Elementwise {
  private Elementwise() {}

  @FunctionalInterface
  public interface FloatBinary {
    float apply(float a, float b);
  }

  @FunctionalInterface
  public interface DoubleBinary {
    double apply(double a, double b);
  }

  @FunctionalInterface
  public interface LongBinary {
    long apply(long a, long b);
  }

  @FunctionalInterface
  public interface FloatUnary {
    float apply(float a);
  }

  @FunctionalInterface
  public interface DoubleUnary {
    double apply(double a);
  }

  @FunctionalInterface
  public interface LongUnary {
    long apply(long a);
  }

  /** Binary op with numpy broadcasting; {@code l} may be null when integers are not allowed. */
  public static Tensor binary(Tensor a, Tensor b, FloatBinary f, DoubleBinary d, LongBinary l) {
    if (a.dtype() != b.dtype()) {
      throw WhittleException.builder("inputs have different element types")
          .expected("the same type for both").found(a.dtype().displayName() + " and " + b.dtype().displayName()).build();
    }
    DType dt = a.dtype();
    long[] outDims = Shapes.broadcast(a.dims(), b.dims());
    int n = Shapes.size(outDims);
    boolean same = Shapes.sameShape(a.dims(), outDims) && Shapes.sameShape(b.dims(), outDims);
    boolean simple = same || (Casts.isFloatLike(dt) && trailingPeriod(a.dims(), outDims) > 0 && trailingPeriod(b.dims(), outDims) > 0
        && (trailingPeriod(a.dims(), outDims) == n || trailingPeriod(b.dims(), outDims) == n));
    int[] ia = simple ? null : Shapes.broadcastIndex(a.dims(), outDims);
    int[] ib = simple ? null : Shapes.broadcastIndex(b.dims(), outDims);
    if (Casts.isFloatLike(dt)) {
      float[] x = Casts.toFloats(a);
      float[] y = Casts.toFloats(b);
      float[] out = new float[n];
      int xPeriod = trailingPeriod(a.dims(), outDims);
      int yPeriod = trailingPeriod(b.dims(), outDims);
      if (same) {
        for (int i = 0; i < n; i++) {
          out[i] = f.apply(x[i], y[i]);
        }
      } else if (xPeriod == n && yPeriod > 0) {
        // b repeats along the leading dims (a bias, a scalar): no index tables needed
        for (int i = 0; i < n; i++) {
          out[i] = f.apply(x[i], y[i % yPeriod]);
        }
      } else if (yPeriod == n && xPeriod > 0) {
        for (int i = 0; i < n; i++) {
          out[i] = f.apply(x[i % xPeriod], y[i]);
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = f.apply(x[ia[i]], y[ib[i]]);
        }
      }
      return Casts.fromFloats(dt, outDims, out);
    }
    if (dt == DType.DOUBLE) {
      double[] x = a.doublesView();
      double[] y = b.doublesView();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = d.apply(x[same ? i : ia[i]], y[same ? i : ib[i]]);
      }
      return Tensor.wrapDoubles(outDims, out);
    }
    if (l != null && Casts.isIntegerOrBool(dt)) {
      long[] x = Casts.toLongs(a);
      long[] y = Casts.toLongs(b);
      long[] out = new long[n];
      for (int i = 0; i < n; i++) {
        out[i] = l.apply(x[same ? i : ia[i]], y[same ? i : ib[i]]);
      }
      return Casts.fromLongs(dt, outDims, out);
    }
    throw WhittleException.builder("element type not supported by this op").found(dt.displayName()).build();
  }

  /**
   * When {@code in} broadcasts to {@code out} only by repeating along leading dims (its dims, with
   * leading 1s removed, are a suffix of out's), the number of elements after which it repeats;
   * otherwise 0.
   */
  static int trailingPeriod(long[] in, long[] out) {
    int start = 0;
    while (start < in.length && in[start] == 1) {
      start++;
    }
    int k = in.length - start;
    int period = 1;
    for (int i = 0; i < k; i++) {
      long d = in[start + i];
      if (d != out[out.length - k + i]) {
        return 0;
      }
      period *= (int) d;
    }
    return period;
  }

  /** Unary op in the compute form of the element type; {@code l} may be null. */
  public static Tensor unary(Tensor a, FloatUnary f, DoubleUnary d, LongUnary l) {
    DType dt = a.dtype();
    long[] dims = a.dims();
    int n = Shapes.size(dims);
    if (Casts.isFloatLike(dt)) {
      float[] x = Casts.toFloats(a);
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        out[i] = f.apply(x[i]);
      }
      return Casts.fromFloats(dt, dims, out);
    }
    if (dt == DType.DOUBLE) {
      double[] x = a.doublesView();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = d.apply(x[i]);
      }
      return Tensor.wrapDoubles(dims, out);
    }
    if (l != null && Casts.isIntegerOrBool(dt)) {
      long[] x = Casts.toLongs(a);
      long[] out = new long[n];
      for (int i = 0; i < n; i++) {
        out[i] = l.apply(x[i]);
      }
      return Casts.fromLongs(dt, dims, out);
    }
    throw WhittleException.builder("element type not supported by this op").found(dt.displayName()).build();
  }
}
