package dev.whittle.pruning.training;

import dev.whittle.ir.Node;
import dev.whittle.kernels.ConvShape;
import dev.whittle.runtime.ops.nn.SpatialGeometry;

/**
 * The sliding window of a Conv or pooling node, as the runtime resolves it ({@link SpatialGeometry}:
 * auto_pad and ceil_mode rules), over an input's dims as the kernels' {@link ConvShape}; plus the
 * count_include_pad divisors average pooling's backward needs.
 */
final class Window {
  private final SpatialGeometry geometry;

  private Window(SpatialGeometry geometry) {
    this.geometry = geometry;
  }

  /** The window of {@code node}; {@code kernel} is its kernel_shape, or the weights' spatial dims when absent. */
  static Window of(Node node, int[] kernel) {
    return new Window(SpatialGeometry.of(node, Shapes.longs(kernel)));
  }

  /** The geometry over input dims [N, C, spatial...] with {@code outChannels} outputs in {@code groups} groups. */
  ConvShape shape(int[] xDims, int outChannels, int groups) {
    if (xDims.length - 2 != geometry.rank()) {
      throw new IllegalArgumentException("input rank " + xDims.length + " for a " + geometry.rank() + "-d window");
    }
    return geometry.convShape(Shapes.longs(xDims), outChannels, groups);
  }

  /**
   * Per output position, how many kernel taps fall inside the padded input [-pad begin, size + pad
   * end): AveragePool's divisor with count_include_pad (windows past the end under ceil_mode count less).
   */
  int[] paddedCounts(ConvShape s) {
    int n = geometry.rank();
    int[] p = Shapes.ints(geometry.pads(Shapes.longs(s.in())));
    int outSize = Shapes.size(s.out());
    int[] counts = new int[outSize];
    int[] o = new int[n];
    for (int i = 0; i < outSize; i++) {
      int c = 1;
      for (int d = 0; d < n; d++) {
        int inside = 0;
        for (int k = 0; k < s.kernel()[d]; k++) {
          int pos = o[d] * s.strides()[d] - p[d] + k * s.dilations()[d];
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
