package dev.whittle.runtime.ops.transformer;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;

/**
 * RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim features of every head by the
 * position's angles, read from the cos/sin caches (by position_ids when given). Halves or
 * interleaved pairs form the (real, imaginary) parts. Works on [batch, seq, heads*head] and on
 * [batch, heads, seq, head] input.
 */
public final class RotaryEmbeddingOp {
  private RotaryEmbeddingOp() {}

  public static Kernel create(NodeContext ctx) {
    boolean interleaved = ctx.attrInt("interleaved", 0) != 0;
    int rotaryAttr = (int) ctx.attrInt("rotary_embedding_dim", 0);
    int numHeadsAttr = (int) ctx.attrInt("num_heads", 0);
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      double[] cos = Casts.toDoubles((Tensor) in[1]);
      double[] sin = Casts.toDoubles((Tensor) in[2]);
      long[] pos = in.length > 3 && in[3] != null ? Casts.toLongs((Tensor) in[3]) : null;
      long[] d = x.dims();
      boolean threeD = d.length == 3;
      int batch = (int) d[0];
      int heads = threeD ? numHeadsAttr : (int) d[1];
      int seq = (int) (threeD ? d[1] : d[2]);
      int head = threeD ? (int) d[2] / heads : (int) d[3];
      int rotary = rotaryAttr == 0 ? head : rotaryAttr;
      int half = rotary / 2;
      int cacheWidth = (int) ((Tensor) in[1]).dim(((Tensor) in[1]).rank() - 1);
      double[] v = Casts.toDoubles(x);
      double[] y = v.clone();
      for (int b = 0; b < batch; b++) {
        for (int h = 0; h < heads; h++) {
          for (int s = 0; s < seq; s++) {
            int base = threeD ? (b * seq + s) * heads * head + h * head : ((b * heads + h) * seq + s) * head;
            int row = pos != null ? (int) pos[b * seq + s] : b * seq + s;
            for (int i = 0; i < half; i++) {
              int i1 = interleaved ? 2 * i : i;
              int i2 = interleaved ? 2 * i + 1 : i + half;
              double c = cos[row * cacheWidth + i];
              double sn = sin[row * cacheWidth + i];
              double x1 = v[base + i1];
              double x2 = v[base + i2];
              y[base + i1] = c * x1 - sn * x2;
              y[base + i2] = sn * x1 + c * x2;
            }
          }
        }
      }
      return new Object[] {Casts.fromDoubles(x.dtype(), d, y)};
    };
  }
}
