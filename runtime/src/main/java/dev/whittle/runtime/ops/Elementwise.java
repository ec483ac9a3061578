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
    int[] ia = same ? null : Shapes.broadcastIndex(a.dims(), outDims);
    int[] ib = same ? null : Shapes.broadcastIndex(b.dims(), outDims);
    if (Casts.isFloatLike(dt)) {
      float[] x = Casts.toFloats(a);
      float[] y = Casts.toFloats(b);
      float[] out = new float[n];
      if (same) {
        for (int i = 0; i < n; i++) {
          out[i] = f.apply(x[i], y[i]);
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
