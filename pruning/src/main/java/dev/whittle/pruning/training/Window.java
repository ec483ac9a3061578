package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.ConvShape;
import java.util.Arrays;

/**
 * The sliding window of a Conv or pooling node: kernel, strides, dilations and pads, with ONNX's
 * auto_pad (NOTSET, VALID, SAME_UPPER, SAME_LOWER) and ceil_mode rules, resolved against an input's
 * dims as the kernels' {@link ConvShape}.
 */
final class Window {
  private final int[] kernel;
  private final int[] strides;
  private final int[] dilations;
  private final int[] pads;
  private final String autoPad;
  private final boolean ceilMode;

  private Window(int[] kernel, int[] strides, int[] dilations, int[] pads, String autoPad, boolean ceilMode) {
    this.kernel = kernel;
    this.strides = strides;
    this.dilations = dilations;
    this.pads = pads;
    this.autoPad = autoPad;
    this.ceilMode = ceilMode;
  }

  /** The window of {@code node}; {@code kernel} is its kernel_shape, or the weights' spatial dims when absent. */
  static Window of(Node node, int[] kernel) {
    int[] k = Shapes.ints(node.intsAttr("kernel_shape", Shapes.longs(kernel)));
    int n = k.length;
    int[] strides = Shapes.ints(node.intsAttr("strides", ones(n)));
    int[] dilations = Shapes.ints(node.intsAttr("dilations", ones(n)));
    int[] pads = Shapes.ints(node.intsAttr("pads", new long[2 * n]));
    if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
      throw node.error("strides, dilations and pads do not match the kernel rank")
          .expected(n + " strides and dilations, " + 2 * n + " pads")
          .found(strides.length + ", " + dilations.length + ", " + pads.length).build();
    }
    return new Window(k, strides, dilations, pads, node.stringAttr("auto_pad", "NOTSET"), node.intAttr("ceil_mode", 0) != 0);
  }

  private static long[] ones(int n) {
    long[] a = new long[n];
    Arrays.fill(a, 1);
    return a;
  }

  int rank() {
    return kernel.length;
  }

  /** Pads [begin..., end...] for these spatial dims. */
  int[] pads(int[] spatial) {
    int n = rank();
    if (autoPad.equals("NOTSET")) {
      return pads;
    }
    int[] p = new int[2 * n];
    if (autoPad.equals("VALID")) {
      return p;
    }
    for (int i = 0; i < n; i++) {
      int out = Math.ceilDiv(spatial[i], strides[i]);
      int total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
      int small = total / 2;
      boolean upper = autoPad.equals("SAME_UPPER");
      p[i] = upper ? small : total - small;
      p[i + n] = upper ? total - small : small;
    }
    return p;
  }

  /** The geometry over input dims [N, C, spatial...] with {@code outChannels} outputs in {@code groups} groups. */
  ConvShape shape(int[] xDims, int outChannels, int groups) {
    int n = rank();
    int[] spatial = Arrays.copyOfRange(xDims, 2, xDims.length);
    if (spatial.length != n) {
      throw new IllegalArgumentException("input rank " + xDims.length + " for a " + n + "-d window");
    }
    int[] p = pads(spatial);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int effective = (kernel[i] - 1) * dilations[i] + 1;
      int span = spatial[i] + p[i] + p[i + n] - effective;
      if (autoPad.startsWith("SAME")) {
        out[i] = Math.ceilDiv(spatial[i], strides[i]);
      } else if (ceilMode) {
        out[i] = Math.ceilDiv(span, strides[i]) + 1;
        // the last window must start inside the input or the left padding (ONNX rule)
        if ((out[i] - 1) * strides[i] >= spatial[i] + p[i]) {
          out[i]--;
        }
      } else {
        out[i] = Math.floorDiv(span, strides[i]) + 1;
      }
    }
    return new ConvShape(xDims[0], xDims[1], spatial, outChannels, groups, kernel, strides, dilations, Arrays.copyOf(p, n), out);
  }

  /**
   * Per output position, how many kernel taps fall inside the padded input [-pad begin, size + pad
   * end): AveragePool's divisor with count_include_pad (windows past the end under ceil_mode count less).
   */
  int[] paddedCounts(ConvShape s) {
    int n = rank();
    int[] p = pads(s.in());
    int outSize = Shapes.size(s.out());
    int[] counts = new int[outSize];
    int[] o = new int[n];
    for (int i = 0; i < outSize; i++) {
      int c = 1;
      for (int d = 0; d < n; d++) {
        int inside = 0;
        for (int k = 0; k < kernel[d]; k++) {
          int pos = o[d] * strides[d] - p[d] + k * dilations[d];
          inside += pos >= -p[d] && pos < s.in()[d] + p[d + n] ? 1 : 0;
        }
        c *= inside;
      }
      counts[i] = c;
      dev.whittle.kernels.Im2Col.increment(o, s.out());
    }
    return counts;
  }
}
