package dev.whittle.kernels;

import java.lang.System.Logger.Level;

/**
 * Chooses the kernel implementations once: the Vector API ones when the
 * {@code jdk.incubator.vector} module is in the boot layer, otherwise the scalar twins, with one
 * log line saying how to get SIMD. The system property {@code whittle.kernels=scalar} forces the
 * scalar twins (for comparisons and debugging).
 */
public final class Kernels {
  private static final System.Logger LOG = System.getLogger(Kernels.class.getName());
  private static final Sgemm SGEMM = choose();

  private Kernels() {}

  /** The SGEMM in use. */
  public static Sgemm sgemm() {
    return SGEMM;
  }

  /** True when the Vector API kernels are in use. */
  public static boolean simd() {
    return !(SGEMM instanceof ScalarSgemm);
  }

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static Sgemm choose() {
    if ("scalar".equals(System.getProperty("whittle.kernels"))) {
      return new ScalarSgemm();
    }
    if (!vectorModulePresent()) {
      LOG.log(Level.INFO, "Vector API unavailable; using scalar MatMul/Conv kernels. "
          + "Start the JVM with --add-modules jdk.incubator.vector for SIMD kernels.");
      return new ScalarSgemm();
    }
    return VectorKernels.sgemm();
  }
}
