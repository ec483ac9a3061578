package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;

/** Registration of this op family (see {@link StandardOps}). */
public final class ImageOps {
  private ImageOps() {}

  public static void register(OpRegistry r) {
  }
}
