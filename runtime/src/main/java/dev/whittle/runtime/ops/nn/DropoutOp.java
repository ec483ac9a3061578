package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import java.util.Arrays;
import java.util.List;

/**
 * Dropout in inference: the output is the input and the mask is all true. Training mode with a
 * non-zero ratio is random and is refused rather than silently computed as inference.
 */
final class DropoutOp {
  private DropoutOp() {}

  static Kernel create(NodeContext ctx) {
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      boolean training = in.length > 2 && in[2] != null && ((Tensor) in[2]).toByteArray()[0] != 0;
      float ratio = in.length > 1 && in[1] != null ? dev.whittle.runtime.ops.Casts.toFloats((Tensor) in[1])[0]
          : ctx.attrFloat("ratio", 0.5f);
      if (training && ratio != 0f) {
        throw ctx.error("training-mode Dropout is random and not supported").expected("training_mode false or ratio 0").build();
      }
      byte[] mask = new byte[Math.toIntExact(x.elementCount())];
      Arrays.fill(mask, (byte) 1);
      return new Object[] {x, Tensor.wrapBytes(DType.BOOL, x.dims(), mask)};
    };
  }

  static List<Type> infer(InferenceContext ctx) {
    Type x = ctx.inputType(0);
    Type mask = x instanceof Type.TensorType t ? new Type.TensorType(DType.BOOL, t.shape()) : null;
    return Arrays.asList(x, mask);
  }
}
