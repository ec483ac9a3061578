package dev.whittle.runtime.ops.nn;

import dev.whittle.ir.Node;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.NodeContext;

/**
 * Kernel size, strides, dilations and pads of a convolution or pooling window over the spatial
 * dimensions, with ONNX's auto_pad rules; resolved against an input shape at run time.
 */
public final class SpatialGeometry {
  final long[] kernel;
  final long[] strides;
  final long[] dilations;
  final long[] explicitPads;
  final String autoPad;
  final boolean ceilMode;

  private SpatialGeometry(long[] kernel, long[] strides, long[] dilations, long[] pads, String autoPad, boolean ceilMode) {
    this.kernel = kernel;
    this.strides = strides;
    this.dilations = dilations;
    this.explicitPads = pads;
    this.autoPad = autoPad;
    this.ceilMode = ceilMode;
  }

  /** Reads kernel_shape (or {@code kernelFromWeights} when absent), strides, dilations, pads, auto_pad, ceil_mode. */
  static SpatialGeometry read(NodeContext ctx, long[] kernelFromWeights) {
    return of(ctx.node(), kernelFromWeights);
  }

  /**
   * The window of a Conv or pooling node: kernel_shape (or {@code kernelFromWeights} when absent),
   * strides, dilations, pads, auto_pad and ceil_mode, checked for matching ranks.
   */
  public static SpatialGeometry of(Node node, long[] kernelFromWeights) {
    long[] kernel = node.intsAttr("kernel_shape", kernelFromWeights);
    if (kernel == null) {
      throw node.error("missing kernel_shape").expected("attribute kernel_shape").build();
    }
    int n = kernel.length;
    long[] strides = node.intsAttr("strides", ones(n));
    long[] dilations = node.intsAttr("dilations", ones(n));
    long[] pads = node.intsAttr("pads", new long[2 * n]);
    String autoPad = node.stringAttr("auto_pad", "NOTSET");
    if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
      throw node.error("strides, dilations and pads do not match the kernel rank")
          .expected(n + " strides and dilations, " + 2 * n + " pads")
          .found(strides.length + ", " + dilations.length + ", " + pads.length).build();
    }
    return new SpatialGeometry(kernel, strides, dilations, pads, autoPad, node.intAttr("ceil_mode", 0) != 0);
  }

  /** Same as {@link #read} for type inference. */
  static SpatialGeometry fromInference(dev.whittle.runtime.InferenceContext ctx, long[] kernel) {
    int n = kernel.length;
    return new SpatialGeometry(kernel, ctx.attrInts("strides", ones(n)), ctx.attrInts("dilations", ones(n)),
        ctx.attrInts("pads", new long[2 * n]), ctx.attrString("auto_pad", "NOTSET"), ctx.attrInt("ceil_mode", 0) != 0);
  }

  static long[] ones(int n) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  public long[] kernel() {
    return kernel.clone();
  }

  public long[] strides() {
    return strides.clone();
  }

  public long[] dilations() {
    return dilations.clone();
  }

  public int rank() {
    return kernel.length;
  }

  /** Pads [begin..., end...] for this input's spatial dims. */
  public long[] pads(long[] spatial) {
    int n = rank();
    if (autoPad.equals("NOTSET")) {
      return explicitPads;
    }
    long[] pads = new long[2 * n];
    if (autoPad.equals("VALID")) {
      return pads;
    }
    for (int i = 0; i < n; i++) {
      long out = ceilDiv(spatial[i], strides[i]);
      long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
      long small = total / 2;
      long big = total - small;
      boolean upper = autoPad.equals("SAME_UPPER");
      pads[i] = upper ? small : big;
      pads[i + n] = upper ? big : small;
    }
    return pads;
  }

  /** Output spatial dims for the given input spatial dims. */
  public long[] outputDims(long[] spatial) {
    int n = rank();
    long[] pads = pads(spatial);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long effective = (kernel[i] - 1) * dilations[i] + 1;
      long span = spatial[i] + pads[i] + pads[i + n] - effective;
      if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
        out[i] = ceilDiv(spatial[i], strides[i]);
      } else if (ceilMode) {
        out[i] = ceilDiv(span, strides[i]) + 1;
        // The last window must start inside the input or left padding (ONNX / PyTorch rule).
        if ((out[i] - 1) * strides[i] >= spatial[i] + pads[i]) {
          out[i]--;
        }
      } else {
        out[i] = Math.floorDiv(span, strides[i]) + 1;
      }
      if (out[i] < 0) {
        throw WhittleException.builder("window larger than the padded input")
            .expected("input dim " + i + " + pads >= " + effective).found(Long.toString(spatial[i])).build();
      }
    }
    return out;
  }

  /** The kernels' description of this window over an input of dims [N, C, spatial...]. */
  public dev.whittle.kernels.ConvShape convShape(long[] xDims, int outChannels, int groups) {
    long[] spatial = java.util.Arrays.copyOfRange(xDims, 2, xDims.length);
    long[] pads = pads(spatial);
    return new dev.whittle.kernels.ConvShape((int) xDims[0], (int) xDims[1], ints(spatial), outChannels, groups,
        ints(kernel), ints(strides), ints(dilations), ints(java.util.Arrays.copyOf(pads, rank())), ints(outputDims(spatial)));
  }

  static int[] ints(long[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.toIntExact(a[i]);
    }
    return out;
  }

  static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
