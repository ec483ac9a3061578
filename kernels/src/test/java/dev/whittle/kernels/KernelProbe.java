package dev.whittle.kernels;

/** Prints which kernels a JVM chose; run in a child process by {@link KernelsTest}. */
public final class KernelProbe {
  private KernelProbe() {}

  public static void main(String[] args) {
    System.out.println("simd=" + Kernels.simd());
  }
}
