package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Shapes;

/**
 * The arithmetic of ONNX linear quantization: {@code q = saturate(round_half_even(x / scale) + zp)}
 * and {@code x = (q - zp) * scale}, with per-tensor, per-axis and blocked scales.
 */
final class Quantization {
  private Quantization() {}

  static long min(DType t) {
    return switch (t) {
      case UINT8, UINT16, UINT4 -> 0;
      case INT8 -> -128;
      case INT16 -> -32768;
      case INT4 -> -8;
      case INT32 -> Integer.MIN_VALUE;
      default -> throw unsupported(t);
    };
  }

  static long max(DType t) {
    return switch (t) {
      case UINT8 -> 255;
      case INT8 -> 127;
      case UINT16 -> 65535;
      case INT16 -> 32767;
      case UINT4 -> 15;
      case INT4 -> 7;
      case INT32 -> Integer.MAX_VALUE;
      default -> throw unsupported(t);
    };
  }

  static WhittleException unsupported(DType t) {
    return WhittleException.builder("quantized type not supported").found(t.displayName()).build();
  }

  /** round half to even then clamp into the type's range. */
  static long saturate(double v, DType t) {
    double r = Math.rint(v);
    if (Double.isNaN(r)) {
      return 0;
    }
    return (long) Math.max(min(t), Math.min(max(t), r));
  }

  /**
   * For each element of {@code dims}, the index into a scale/zero-point tensor of shape
   * {@code paramDims} applied along {@code axis} (per-tensor when the parameter is a scalar or
   * has one element; blocked when {@code blockSize > 0}).
   */
  static int[] parameterIndex(long[] dims, long[] paramDims, long axisAttr, long blockSize) {
    int n = Shapes.size(dims);
    int[] idx = new int[n];
    int paramCount = Shapes.size(paramDims);
    if (paramDims.length == 0 || (paramCount == 1 && blockSize == 0)) {
      return idx;
    }
    int axis = Shapes.axis(axisAttr, dims.length);
    if (blockSize > 0) {
      // Blocked: the parameter has the input's shape with dim `axis` divided by block size.
      int[] inStrides = Shapes.strides(dims);
      int[] pStrides = Shapes.strides(paramDims);
      for (int i = 0; i < n; i++) {
        int rem = i;
        int p = 0;
        for (int d = 0; d < dims.length; d++) {
          int coord = rem / inStrides[d];
          rem %= inStrides[d];
          p += (d == axis ? (int) (coord / blockSize) : coord) * pStrides[d];
        }
        idx[i] = p;
      }
      return idx;
    }
    int inner = Shapes.innerSize(dims, axis);
    int axisLen = (int) dims[axis];
    if (paramCount != axisLen) {
      throw WhittleException.builder("per-axis scale has the wrong length")
          .expected(axisLen + " values for axis " + axis).found(Integer.toString(paramCount)).build();
    }
    for (int i = 0; i < n; i++) {
      idx[i] = (i / inner) % axisLen;
    }
    return idx;
  }

  static long[] zeroPoints(Tensor zp, int count) {
    return zp == null ? new long[Math.max(count, 1)] : Casts.toLongs(zp);
  }
}
