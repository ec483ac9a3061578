package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.text.StringOps;

/** Registration of the string ops (see {@link StandardOps}). */
public final class TextOps {
  private TextOps() {}

  public static void register(OpRegistry r) {
    StringOps.register(r);
  }
}
