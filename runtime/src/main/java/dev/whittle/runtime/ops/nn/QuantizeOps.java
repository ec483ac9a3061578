package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.util.Arrays;
import java.util.List;

/** QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear for integer target types. */
final class QuantizeOps {
  private QuantizeOps() {}

  static Kernel quantize(NodeContext ctx) {
    long axis = ctx.attrInt("axis", 1);
    long blockSize = ctx.attrInt("block_size", 0);
    long outputDtype = ctx.attrInt("output_dtype", 0);
    boolean saturate = ctx.attrInt("saturate", 1) != 0;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor scale = (Tensor) in[1];
      Tensor zp = in.length > 2 ? (Tensor) in[2] : null;
      DType target = zp != null ? zp.dtype() : outputDtype != 0 ? DType.fromCode((int) outputDtype) : DType.UINT8;
      double[] xv = Casts.toDoubles(x);
      double[] sv = Casts.toDoubles(scale);
      int[] pi = Quantization.parameterIndex(x.dims(), scale.dims(), axis, blockSize);
      if (target.isFloatingPoint()) {
        // float8/float4 targets: x / scale + zero point, rounded to nearest even by the cast.
        double[] zf = zp == null ? new double[sv.length] : Casts.toDoubles(zp);
        double[] y = new double[xv.length];
        for (int i = 0; i < y.length; i++) {
          y[i] = (float) ((float) xv[i] / (float) sv[pi[i]]) + zf[pi[i]];
        }
        return new Object[] {Casts.fromDoubles(target, x.dims(), y, saturate)};
      }
      long[] zv = Quantization.zeroPoints(zp, sv.length);
      long[] q = new long[xv.length];
      boolean floatScale = scale.dtype() == DType.FLOAT;
      for (int i = 0; i < q.length; i++) {
        // ONNX Runtime divides in the scale's precision; float32 scales round the quotient to float.
        double v = floatScale ? (float) ((float) xv[i] / (float) sv[pi[i]]) : xv[i] / sv[pi[i]];
        q[i] = Quantization.saturate(Math.rint(v) + zv[pi[i]], target);
      }
      return new Object[] {Casts.fromLongs(target, x.dims(), q)};
    };
  }

  static Kernel dequantize(NodeContext ctx) {
    long axis = ctx.attrInt("axis", 1);
    long blockSize = ctx.attrInt("block_size", 0);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor scale = (Tensor) in[1];
      Tensor zp = in.length > 2 ? (Tensor) in[2] : null;
      double[] xv = Casts.toDoubles(x);
      float[] sv = Casts.toFloats(scale);
      double[] zv = zp == null ? new double[Math.max(sv.length, 1)] : Casts.toDoubles(zp);
      int[] pi = Quantization.parameterIndex(x.dims(), scale.dims(), axis, blockSize);
      float[] y = new float[xv.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = (float) (xv[i] - zv[pi[i]]) * sv[pi[i]];
      }
      DType out = scale.dtype();
      return new Object[] {Casts.fromFloats(out, x.dims(), y)};
    };
  }

  /** uint8 quantization with a scale and zero point computed from the data's range (including 0). */
  static Kernel dynamicQuantize(NodeContext ctx) {
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      float[] xv = Casts.toFloats(x);
      float lo = 0f;
      float hi = 0f;
      for (float v : xv) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      float scale = (hi - lo) / 255f;
      long zp = scale == 0f ? 0 : Quantization.saturate(Math.rint(0 - lo / scale), DType.UINT8);
      long[] q = new long[xv.length];
      for (int i = 0; i < q.length; i++) {
        q[i] = scale == 0f ? zp : Quantization.saturate(Math.rint(xv[i] / scale) + zp, DType.UINT8);
      }
      return new Object[] {Casts.fromLongs(DType.UINT8, x.dims(), q), Tensor.ofFloats(new long[0], scale),
          Casts.fromLongs(DType.UINT8, new long[0], new long[] {zp})};
    };
  }

  static List<Type> inferQuantize(InferenceContext ctx) {
    DType target = ctx.inputType(2) instanceof Type.TensorType z ? z.elementType()
        : ctx.attrInt("output_dtype", 0) != 0 ? DType.fromCode((int) ctx.attrInt("output_dtype", 0)) : DType.UINT8;
    return List.of(withType(ctx.inputType(0), target));
  }

  static List<Type> inferDequantize(InferenceContext ctx) {
    DType out = ctx.inputType(1) instanceof Type.TensorType s ? s.elementType() : DType.FLOAT;
    return List.of(withType(ctx.inputType(0), out));
  }

  static List<Type> inferDynamic(InferenceContext ctx) {
    Type scalarF = new Type.TensorType(DType.FLOAT, Shape.of());
    Type scalarU = new Type.TensorType(DType.UINT8, Shape.of());
    return Arrays.asList(withType(ctx.inputType(0), DType.UINT8), scalarF, scalarU);
  }

  static Type withType(Type t, DType dt) {
    return t instanceof Type.TensorType tt ? new Type.TensorType(dt, tt.shape()) : new Type.TensorType(dt, Shape.unknownRank());
  }
}
