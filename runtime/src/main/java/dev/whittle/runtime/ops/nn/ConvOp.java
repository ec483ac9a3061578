package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.kernels.ConvShape;
import dev.whittle.kernels.Convolution;
import dev.whittle.kernels.Kernels;
import dev.whittle.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Conv (N-d, groups, dilations, auto_pad): im2col per image and group, then a matrix product. */
final class ConvOp {
  private ConvOp() {}

  static Kernel create(NodeContext ctx) {
    long group = ctx.attrInt("group", 1);
    Tensor constW = ctx.constantInput(1);
    long[] kernelFromW = constW == null ? null : Arrays.copyOfRange(constW.dims(), 2, constW.rank());
    SpatialGeometry fixed = ctx.hasAttr("kernel_shape") || kernelFromW != null ? SpatialGeometry.read(ctx, kernelFromW) : null;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor w = (Tensor) in[1];
      Tensor b = in.length > 2 ? (Tensor) in[2] : null;
      SpatialGeometry g = fixed != null ? fixed
          : SpatialGeometry.read(ctx, Arrays.copyOfRange(w.dims(), 2, w.rank()));
      return new Object[] {conv(x, w, b, (int) group, g)};
    };
  }

  static Tensor conv(Tensor x, Tensor w, Tensor b, int group, SpatialGeometry g) {
    requireFloat(x);
    long[] xd = x.dims();
    long[] wd = w.dims();
    int c = (int) xd[1];
    int m = (int) wd[0];
    if (wd[1] * group != c || m % group != 0) {
      throw dev.whittle.ir.WhittleException.builder("channels do not match the weights and group")
          .expected("X channels = W dim 1 * group (" + wd[1] + " * " + group + ")").found(Long.toString(c)).build();
    }
    ConvShape s = g.convShape(xd, m, group);
    long[] yd = new long[xd.length];
    yd[0] = xd[0];
    yd[1] = m;
    for (int i = 0; i < s.out().length; i++) {
      yd[2 + i] = s.out()[i];
    }
    float[] y = new float[Shapes.size(yd)];
    Convolution.forward(s, Casts.toFloats(x), Casts.toFloats(w), b == null ? null : Casts.toFloats(b), y, Kernels.sgemm());
    return Casts.fromFloats(x.dtype(), yd, y);
  }

  static void requireFloat(Tensor x) {
    if (!Casts.isFloatLike(x.dtype())) {
      throw dev.whittle.ir.WhittleException.builder("element type not supported")
          .expected("float32, float16 or bfloat16").found(x.dtype().displayName()).build();
    }
  }

  /** Output [N, M, spatial...] from X's shape, W's shape and the window attributes. */
  static List<Type> infer(InferenceContext ctx) {
    if (!(ctx.inputType(0) instanceof Type.TensorType xt) || !xt.shape().hasRank()) {
      return java.util.Collections.singletonList(ctx.inputType(0) == null ? null
          : new Type.TensorType(Inference.elementType(ctx.inputType(0)), Shape.unknownRank()));
    }
    DType et = xt.elementType();
    Shape ws = ctx.inputType(1) instanceof Type.TensorType wt ? wt.shape() : Shape.unknownRank();
    List<Dim> dims = new ArrayList<>();
    dims.add(xt.shape().dim(0));
    dims.add(ws.hasRank() ? ws.dim(0) : Dim.unknown());
    int spatialRank = xt.shape().rank() - 2;
    long[] kernel = ctx.attrInts("kernel_shape", null);
    if (kernel == null && ws.hasRank() && ws.isStatic()) {
      kernel = Arrays.copyOfRange(ws.toArray(), 2, ws.rank());
    }
    List<Dim> inSpatial = xt.shape().dims().subList(2, xt.shape().rank());
    boolean known = kernel != null && inSpatial.stream().allMatch(Dim::isFixed);
    if (known) {
      long[] spatial = inSpatial.stream().mapToLong(Dim::value).toArray();
      SpatialGeometry g = SpatialGeometry.fromInference(ctx, kernel);
      for (long o : g.outputDims(spatial)) {
        dims.add(Dim.of(o));
      }
    } else {
      for (int i = 0; i < spatialRank; i++) {
        dims.add(Dim.unknown());
      }
    }
    return List.of(new Type.TensorType(et, Shape.of(dims)));
  }
}
