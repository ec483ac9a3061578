package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.text.StringOps;
import dev.whittle.runtime.ops.text.TfIdfVectorizerOp;

/** Registration of the string and text-feature ops (see {@link StandardOps}). */
public final class TextOps {
  private TextOps() {}

  public static void register(OpRegistry r) {
    StringOps.register(r);
    r.register("TfIdfVectorizer", TfIdfVectorizerOp::create, TfIdfVectorizerOp::infer);
  }
}
