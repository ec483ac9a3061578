package dev.whittle.runtime.ops.math;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Cast and CastLike between numeric types, bool and strings. */
public final class CastOps {
  private CastOps() {}

  public static void register(OpRegistry r) {
    r.register("Cast", ctx -> {
      DType to = DType.fromCode((int) ctx.requireAttr("to").i());
      boolean saturate = ctx.attrInt("saturate", 1) != 0;
      return (in, rc) -> new Object[] {cast((Tensor) in[0], to, saturate)};
    }, ctx -> {
      DType to = DType.fromCode((int) ctx.attrInt("to", 0));
      return java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.TensorType t ? new Type.TensorType(to, t.shape()) : null);
    });
    r.register("CastLike", ctx -> {
      boolean saturate = ctx.attrInt("saturate", 1) != 0;
      return (in, rc) -> new Object[] {cast((Tensor) in[0], ((Tensor) in[1]).dtype(), saturate)};
    },
        ctx -> java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.TensorType t && ctx.inputType(1) instanceof Type.TensorType l
            ? new Type.TensorType(l.elementType(), t.shape()) : null));
  }

  static Tensor cast(Tensor x, DType to, boolean saturate) {
    DType from = x.dtype();
    if (from == to) {
      return x;
    }
    long[] dims = x.dims();
    if (to == DType.STRING) {
      return toStrings(x);
    }
    if (from == DType.STRING) {
      List<byte[]> s = x.strings();
      double[] v = new double[s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = parse(new String(s.get(i), StandardCharsets.UTF_8));
      }
      return Casts.fromDoubles(to, dims, v, saturate);
    }
    if (Casts.isIntegerOrBool(from) && Casts.isIntegerOrBool(to)) {
      return Casts.fromLongs(to, dims, Casts.toLongs(x));
    }
    if (Casts.isIntegerOrBool(to)) {
      // float -> integer truncates toward zero; out-of-range values are undefined in ONNX
      double[] v = Casts.toDoubles(x);
      long[] l = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        l[i] = to == DType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
      }
      return Casts.fromLongs(to, dims, l);
    }
    if (Casts.isIntegerOrBool(from) && to == DType.DOUBLE) {
      return Casts.fromDoubles(to, dims, Casts.toDoubles(x));
    }
    if (to.isFloatingPoint()) {
      // Round once from the exact value: doubles hold every float16/bfloat16/float32/int32 exactly.
      return Casts.fromDoubles(to, dims, Casts.toDoubles(x), saturate);
    }
    throw WhittleException.builder("cast not supported").expected("numeric, bool or string types")
        .found(from.displayName() + " to " + to.displayName()).build();
  }

  private static double parse(String s) {
    String t = s.strip();
    return switch (t.toLowerCase()) {
      case "nan", "-nan" -> Double.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw WhittleException.builder("cannot cast string to a number").found("'" + s + "'").build();
        }
      }
    };
  }

  /** Numbers printed as numpy's str() does for the type: shortest round-trip form. */
  private static Tensor toStrings(Tensor x) {
    DType from = x.dtype();
    List<byte[]> out = new ArrayList<>();
    if (Casts.isIntegerOrBool(from)) {
      for (long v : Casts.toLongs(x)) {
        out.add((from == DType.BOOL ? (v != 0 ? "True" : "False") : Long.toString(v)).getBytes(StandardCharsets.UTF_8));
      }
    } else {
      double[] v = Casts.toDoubles(x);
      for (double d : v) {
        String s;
        if (Double.isNaN(d)) {
          s = "NaN";
        } else if (Double.isInfinite(d)) {
          s = d > 0 ? "INF" : "-INF";
        } else if (from == DType.DOUBLE) {
          s = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        } else {
          s = Float.toString((float) d);
        }
        out.add(s.getBytes(StandardCharsets.UTF_8));
      }
    }
    return Tensor.ofStrings(x.dims(), out);
  }
}
