package dev.whittle.runtime.ops;

import dev.whittle.ir.DType;
import java.util.Arrays;

/**
 * The 8-bit and 4-bit float formats of ONNX (float8 e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0 and
 * float4 e2m1): decoding through a table of every code's value, encoding by round-to-nearest-even
 * over the sorted finite values, with overflow either saturating to the largest finite value or
 * becoming infinity/NaN as the format allows.
 */
public final class MiniFloats {
  private MiniFloats() {}

  /** One format: code -> value table, and what overflow and NaN encode to. */
  private static final class Format {
    final double[] value;
    final int[] positiveCodes; // finite non-negative codes sorted by value
    final double[] positiveValues;
    final int nan;
    final int posInf; // -1 when the format has no infinity
    final int negInf;
    final int signBit;
    final boolean hasNegativeZero;

    Format(int bits, int expBits, int manBits, int bias, String kind) {
      int codes = 1 << bits;
      value = new double[codes];
      signBit = expBits == bits ? 0 : 1 << (bits - 1);
      hasNegativeZero = kind.equals("ieee") || kind.equals("fn") || kind.equals("e2m1");
      int nanCode = -1;
      int pInf = -1;
      int nInf = -1;
      for (int c = 0; c < codes; c++) {
        int sign = signBit == 0 ? 0 : (c & signBit) != 0 ? 1 : 0;
        int exp = (c >> manBits) & ((1 << expBits) - 1);
        int man = c & ((1 << manBits) - 1);
        double v;
        if (kind.equals("e8m0")) {
          v = exp == 255 ? Double.NaN : Math.scalb(1.0, exp - bias);
          if (exp == 255) {
            nanCode = c;
          }
        } else if (exp == 0) {
          v = Math.scalb((double) man, 1 - bias - manBits);
        } else {
          v = Math.scalb(1.0 + man / (double) (1 << manBits), exp - bias);
        }
        boolean allExp = exp == (1 << expBits) - 1;
        switch (kind) {
          case "ieee" -> {
            if (allExp) {
              v = man == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
              if (man == 0) {
                if (sign == 0) {
                  pInf = c;
                } else {
                  nInf = c;
                }
              } else if (nanCode < 0 && sign == 0) {
                nanCode = c | ((1 << manBits) - 1);
              }
            }
          }
          case "fn" -> {
            if (allExp && man == (1 << manBits) - 1) {
              v = Double.NaN;
              nanCode = 0x7F;
            }
          }
          case "fnuz" -> {
            if (c == 0x80) {
              v = Double.NaN;
              nanCode = 0x80;
            }
          }
          default -> { }
        }
        value[c] = sign == 1 && !Double.isNaN(v) ? -v : v;
      }
      nan = nanCode;
      posInf = pInf;
      negInf = nInf;
      Integer[] order = java.util.stream.IntStream.range(0, codes)
          .filter(c -> (c & signBit) == 0 && Double.isFinite(value[c]))
          .boxed().sorted((a, b) -> Double.compare(value[a], value[b])).toArray(Integer[]::new);
      positiveCodes = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
      positiveValues = Arrays.stream(order).mapToDouble(c -> value[c]).toArray();
    }

    int encode(double x, boolean saturate) {
      if (Double.isNaN(x)) {
        // float4 e2m1 has no NaN; ONNX maps NaN to the code 0b1000 (negative zero).
        return nan >= 0 ? nan : signBit;
      }
      boolean negative = x < 0 || (x == 0 && 1 / x < 0);
      double a = Math.abs(x);
      int last = positiveCodes.length - 1;
      double max = positiveValues[last];
      int code;
      if (Double.isInfinite(a)) {
        code = saturate || (posInf < 0 && nan < 0) ? positiveCodes[last] : -1;
      } else {
        int i = Arrays.binarySearch(positiveValues, a);
        if (i >= 0) {
          code = positiveCodes[i];
        } else {
          int hi = -i - 1;
          if (hi == 0) {
            code = positiveCodes[0];
          } else if (hi > last) {
            // Beyond the largest finite value: compare with the next (overflow) code, ties to even.
            double step = max - positiveValues[last - 1];
            double overflowValue = max + step;
            int overflowCode = positiveCodes[last] + 1;
            boolean toOverflow = a > (max + overflowValue) / 2 || (a == (max + overflowValue) / 2 && (overflowCode & 1) == 0);
            code = !toOverflow || saturate || (posInf < 0 && nan < 0) ? positiveCodes[last] : -1;
          } else {
            double lo = positiveValues[hi - 1];
            double up = positiveValues[hi];
            double mid = (lo + up) / 2;
            code = a < mid ? positiveCodes[hi - 1] : a > mid ? positiveCodes[hi]
                : (positiveCodes[hi - 1] & 1) == 0 ? positiveCodes[hi - 1] : positiveCodes[hi];
          }
        }
      }
      if (code < 0) {
        return posInf >= 0 ? (negative ? negInf : posInf) : nan;
      }
      if (negative && signBit != 0 && (code != 0 || hasNegativeZero)) {
        code |= signBit;
      }
      return code;
    }
  }

  private static final Format E4M3FN = new Format(8, 4, 3, 7, "fn");
  private static final Format E4M3FNUZ = new Format(8, 4, 3, 8, "fnuz");
  private static final Format E5M2 = new Format(8, 5, 2, 15, "ieee");
  private static final Format E5M2FNUZ = new Format(8, 5, 2, 16, "fnuz");
  private static final Format E8M0 = new Format(8, 8, 0, 127, "e8m0");
  private static final Format E2M1 = new Format(4, 2, 1, 1, "e2m1");

  public static boolean isMiniFloat(DType dt) {
    return format(dt) != null;
  }

  private static Format format(DType dt) {
    return switch (dt) {
      case FLOAT8E4M3FN -> E4M3FN;
      case FLOAT8E4M3FNUZ -> E4M3FNUZ;
      case FLOAT8E5M2 -> E5M2;
      case FLOAT8E5M2FNUZ -> E5M2FNUZ;
      case FLOAT8E8M0 -> E8M0;
      case FLOAT4E2M1 -> E2M1;
      default -> null;
    };
  }

  /** Decodes raw codes (one per byte, or two per byte for float4) to doubles. */
  public static double[] decode(DType dt, byte[] raw, int count) {
    Format f = format(dt);
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      int code = dt == DType.FLOAT4E2M1 ? (raw[i >> 1] >> ((i & 1) * 4)) & 0xF : raw[i] & 0xFF;
      out[i] = f.value[code];
    }
    return out;
  }

  /** Encodes doubles, rounding to nearest even; {@code saturate} clamps overflow to the largest finite value. */
  public static byte[] encode(DType dt, double[] v, boolean saturate) {
    Format f = format(dt);
    if (dt == DType.FLOAT4E2M1) {
      byte[] out = new byte[(v.length + 1) / 2];
      for (int i = 0; i < v.length; i++) {
        out[i >> 1] |= (byte) ((f.encode(v[i], true) & 0xF) << ((i & 1) * 4));
      }
      return out;
    }
    if (dt == DType.FLOAT8E8M0) {
      // E8M0 holds powers of two; Cast's default round_mode "up" takes the next power of two.
      byte[] out = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        double a = Math.abs(v[i]);
        if (Double.isNaN(a) || Double.isInfinite(a) && !saturate) {
          out[i] = (byte) 0xFF;
        } else if (Double.isInfinite(a) || a >= 0x1p127) {
          out[i] = (byte) 0xFE;
        } else if (a <= 0x1p-127) {
          out[i] = 0;
        } else {
          int e = Math.getExponent(a);
          boolean exact = a == Math.scalb(1.0, e);
          out[i] = (byte) Math.min(0xFE, e + 127 + (exact ? 0 : 1));
        }
      }
      return out;
    }
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) f.encode(v[i], saturate);
    }
    return out;
  }
}
