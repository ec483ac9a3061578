package dev.whittle.kernels;

import java.util.Arrays;

/**
 * Geometry of an N-d convolution over NC(spatial) float data: input spatial sizes, kernel,
 * strides, dilations, begin pads (end pads are implied by {@code out}), groups and the output
 * spatial sizes the caller computed.
 */
public record ConvShape(int batch, int channels, int[] in, int outChannels, int groups,
    int[] kernel, int[] strides, int[] dilations, int[] padsBegin, int[] out) {

  public ConvShape {
    int r = in.length;
    if (kernel.length != r || strides.length != r || dilations.length != r || padsBegin.length != r || out.length != r) {
      throw new IllegalArgumentException("spatial ranks differ: in " + Arrays.toString(in) + ", kernel " + Arrays.toString(kernel));
    }
    if (channels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("channels " + channels + " and " + outChannels + " must divide by groups " + groups);
    }
  }

  int inSize() {
    return product(in);
  }

  int outSize() {
    return product(out);
  }

  int kernelSize() {
    return product(kernel);
  }

  static int product(int[] a) {
    int p = 1;
    for (int v : a) {
      p *= v;
    }
    return p;
  }
}
