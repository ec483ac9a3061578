package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.transformer.AttentionOp;
import dev.whittle.runtime.ops.transformer.RotaryEmbeddingOp;
import dev.whittle.runtime.ops.transformer.NormOps;

/** Registration of attention and transformer normalization ops (see {@link StandardOps}). */
public final class TransformerOps {
  private TransformerOps() {}

  public static void register(OpRegistry r) {
    r.register("Attention", AttentionOp::create, AttentionOp::infer);
    r.register("RotaryEmbedding", RotaryEmbeddingOp::create, Inference::sameAsInput0);
    NormOps.register(r);
  }
}
