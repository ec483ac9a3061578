package dev.whittle.runtime.ops;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;

/**
 * Element conversions between ONNX types and the three compute forms the ops use: float (for
 * float32 and the narrower floats), double, and long (for integers and bool). float16 uses the
 * JDK's IEEE conversions; bfloat16 rounds to nearest even.
 */
public final class Casts {
  private Casts() {}

  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** The elements of any numeric or bool tensor as floats. */
  public static float[] toFloats(Tensor t) {
    DType dt = t.dtype();
    int n = Math.toIntExact(t.elementCount());
    switch (dt) {
      case FLOAT:
        return t.floatsView();
      case FLOAT16: {
        short[] s = t.shortsView();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(s[i]);
        }
        return out;
      }
      case BFLOAT16: {
        short[] s = t.shortsView();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = bf16ToFloat(s[i]);
        }
        return out;
      }
      case DOUBLE: {
        double[] d = t.doublesView();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = (float) d[i];
        }
        return out;
      }
      default: {
        if (MiniFloats.isMiniFloat(dt)) {
          double[] d = MiniFloats.decode(dt, t.bytesView(), n);
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = (float) d[i];
          }
          return out;
        }
        if (!isIntegerOrBool(dt)) {
          throw unsupported(dt, "float");
        }
        long[] l = toLongs(t);
        float[] out = new float[n];
        boolean unsigned64 = dt == DType.UINT64;
        for (int i = 0; i < n; i++) {
          out[i] = unsigned64 && l[i] < 0 ? (float) unsignedToDouble(l[i]) : (float) l[i];
        }
        return out;
      }
    }
  }

  /** The elements of any numeric or bool tensor as doubles. */
  public static double[] toDoubles(Tensor t) {
    DType dt = t.dtype();
    int n = Math.toIntExact(t.elementCount());
    if (dt == DType.DOUBLE) {
      return t.doublesView();
    }
    if (MiniFloats.isMiniFloat(dt)) {
      return MiniFloats.decode(dt, t.bytesView(), n);
    }
    if (dt == DType.FLOAT || dt == DType.FLOAT16 || dt == DType.BFLOAT16) {
      float[] f = toFloats(t);
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = f[i];
      }
      return out;
    }
    if (!isIntegerOrBool(dt)) {
      throw unsupported(dt, "double");
    }
    long[] l = toLongs(t);
    double[] out = new double[n];
    boolean unsigned64 = dt == DType.UINT64;
    for (int i = 0; i < n; i++) {
      out[i] = unsigned64 && l[i] < 0 ? unsignedToDouble(l[i]) : (double) l[i];
    }
    return out;
  }

  /** The elements of an integer or bool tensor as longs (unsigned types zero-extended). */
  public static long[] toLongs(Tensor t) {
    DType dt = t.dtype();
    int n = Math.toIntExact(t.elementCount());
    switch (dt) {
      case INT64:
      case UINT64:
        return t.longsView();
      case INT32: {
        int[] v = t.intsView();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = v[i];
        }
        return out;
      }
      case UINT32: {
        int[] v = t.intsView();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = v[i] & 0xFFFFFFFFL;
        }
        return out;
      }
      case INT16:
      case UINT16: {
        short[] v = t.shortsView();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = dt == DType.INT16 ? v[i] : v[i] & 0xFFFF;
        }
        return out;
      }
      case INT8:
      case UINT8:
      case BOOL: {
        byte[] v = t.bytesView();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = dt == DType.INT8 ? v[i] : v[i] & 0xFF;
        }
        return out;
      }
      case INT4:
      case UINT4: {
        byte[] v = t.bytesView();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          int nibble = (v[i >> 1] >> ((i & 1) * 4)) & 0xF;
          out[i] = dt == DType.INT4 && nibble >= 8 ? nibble - 16 : nibble;
        }
        return out;
      }
      case FLOAT:
      case DOUBLE:
      case FLOAT16:
      case BFLOAT16: {
        double[] d = toDoubles(t);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = (long) d[i];
        }
        return out;
      }
      default:
        throw unsupported(dt, "integer");
    }
  }

  /** A tensor of type {@code dt} from float values (rounded for narrower floats). */
  public static Tensor fromFloats(DType dt, long[] dims, float[] v) {
    if (MiniFloats.isMiniFloat(dt)) {
      double[] d = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        d[i] = v[i];
      }
      return fromDoubles(dt, dims, d, true);
    }
    switch (dt) {
      case FLOAT:
        return Tensor.wrapFloats(dims, v);
      case FLOAT16: {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
          s[i] = Float.floatToFloat16(v[i]);
        }
        return Tensor.wrapShorts(dt, dims, s);
      }
      case BFLOAT16: {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
          s[i] = floatToBf16(v[i]);
        }
        return Tensor.wrapShorts(dt, dims, s);
      }
      case DOUBLE: {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          d[i] = v[i];
        }
        return Tensor.wrapDoubles(dims, d);
      }
      default: {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          l[i] = dt == DType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
        }
        return fromLongs(dt, dims, l);
      }
    }
  }

  /** A tensor of type {@code dt} from double values (float8/float4 saturate on overflow). */
  public static Tensor fromDoubles(DType dt, long[] dims, double[] v) {
    return fromDoubles(dt, dims, v, true);
  }

  /** As {@link #fromDoubles(DType, long[], double[])}; {@code saturate} applies to float8 targets. */
  public static Tensor fromDoubles(DType dt, long[] dims, double[] v, boolean saturate) {
    if (MiniFloats.isMiniFloat(dt)) {
      return Tensor.wrapBytes(dt, dims, MiniFloats.encode(dt, v, saturate));
    }
    if (dt == DType.DOUBLE) {
      return Tensor.wrapDoubles(dims, v);
    }
    if (dt == DType.FLOAT || dt == DType.FLOAT16 || dt == DType.BFLOAT16) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      return fromFloats(dt, dims, f);
    }
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      l[i] = dt == DType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
    }
    return fromLongs(dt, dims, l);
  }

  /** A tensor of integer, bool or float type {@code dt} from longs (integers wrap to the width). */
  public static Tensor fromLongs(DType dt, long[] dims, long[] v) {
    int n = v.length;
    switch (dt) {
      case INT64:
      case UINT64:
        return dt == DType.INT64 ? Tensor.wrapLongs(dims, v) : Tensor.of(DType.UINT64, dims, Tensor.wrapLongs(dims, v).data());
      case INT32:
      case UINT32: {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
          o[i] = (int) v[i];
        }
        return Tensor.wrapInts(dt, dims, o);
      }
      case INT16:
      case UINT16: {
        short[] o = new short[n];
        for (int i = 0; i < n; i++) {
          o[i] = (short) v[i];
        }
        return Tensor.wrapShorts(dt, dims, o);
      }
      case INT8:
      case UINT8:
      case BOOL: {
        byte[] o = new byte[n];
        for (int i = 0; i < n; i++) {
          o[i] = dt == DType.BOOL ? (byte) (v[i] != 0 ? 1 : 0) : (byte) v[i];
        }
        return Tensor.wrapBytes(dt, dims, o);
      }
      case INT4:
      case UINT4: {
        byte[] o = new byte[(n + 1) / 2];
        for (int i = 0; i < n; i++) {
          o[i >> 1] |= (byte) ((v[i] & 0xF) << ((i & 1) * 4));
        }
        return Tensor.wrapBytes(dt, dims, o);
      }
      case FLOAT:
      case FLOAT16:
      case BFLOAT16: {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = v[i];
        }
        return fromFloats(dt, dims, f);
      }
      case DOUBLE: {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = v[i];
        }
        return Tensor.wrapDoubles(dims, d);
      }
      default:
        throw unsupported(dt, "integer");
    }
  }

  public static boolean isIntegerOrBool(DType dt) {
    return dt.isInteger() || dt == DType.BOOL;
  }

  /** Any floating-point element type, including the 8- and 4-bit formats. */
  public static boolean isFloatingPoint(DType dt) {
    return dt.isFloatingPoint();
  }

  /** float32, float16 and bfloat16: computed in float. */
  public static boolean isFloatLike(DType dt) {
    return dt == DType.FLOAT || dt == DType.FLOAT16 || dt == DType.BFLOAT16;
  }

  public static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  private static WhittleException unsupported(DType dt, String as) {
    return WhittleException.builder("element type " + dt.displayName() + " cannot be read as " + as).build();
  }
}
