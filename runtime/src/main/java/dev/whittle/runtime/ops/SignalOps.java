package dev.whittle.runtime.ops;

import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.signal.SpectralOps;

/** Registration of window functions, DFT and STFT (see {@link StandardOps}). */
public final class SignalOps {
  private SignalOps() {}

  public static void register(OpRegistry r) {
    SpectralOps.register(r);
  }
}
