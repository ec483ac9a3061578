package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.image.GeometryOps;
import dev.whittle.runtime.ops.image.GridSampleOp;
import dev.whittle.runtime.ops.image.NonMaxSuppressionOp;
import dev.whittle.runtime.ops.image.ResizeOp;
import dev.whittle.runtime.ops.image.RoiAlignOp;

/** Registration of image resampling ops (see {@link StandardOps}). */
public final class ImageOps {
  private ImageOps() {}

  public static void register(OpRegistry r) {
    r.register("Resize", ResizeOp::resize, ResizeOp::infer);
    r.register("Upsample", ResizeOp::upsample, ResizeOp::infer);
    r.register("GridSample", GridSampleOp::create, GridSampleOp::infer);
    r.register("NonMaxSuppression", NonMaxSuppressionOp::create, NonMaxSuppressionOp::infer);
    GeometryOps.register(r);
    r.register("RoiAlign", RoiAlignOp::create, ctx -> java.util.Collections.singletonList(null));
  }
}
