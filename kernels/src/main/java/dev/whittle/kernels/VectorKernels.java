package dev.whittle.kernels;

/**
 * The only class {@link Kernels} touches to reach Vector API code, so that the incubator classes
 * are loaded only after the module was found present.
 */
final class VectorKernels {
  private VectorKernels() {}

  static Sgemm sgemm() {
    return new VectorSgemm();
  }
}
