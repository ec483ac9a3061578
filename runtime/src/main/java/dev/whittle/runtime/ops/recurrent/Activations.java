package dev.whittle.runtime.ops.recurrent;

import dev.whittle.ir.WhittleException;
import java.util.function.DoubleUnaryOperator;

/** The activation functions RNN, GRU and LSTM accept by name, with their alpha/beta parameters. */
final class Activations {
  private Activations() {}

  static DoubleUnaryOperator of(String name, float alpha, float beta) {
    return switch (name) {
      case "Sigmoid" -> x -> 1 / (1 + Math.exp(-x));
      case "Tanh" -> Math::tanh;
      case "Relu" -> x -> Math.max(0, x);
      case "Affine" -> x -> alpha * x + beta;
      case "LeakyRelu" -> x -> x >= 0 ? x : alpha * x;
      case "ThresholdedRelu" -> x -> x > alpha ? x : 0;
      case "ScaledTanh" -> x -> alpha * Math.tanh(beta * x);
      case "HardSigmoid" -> x -> Math.max(0, Math.min(1, alpha * x + beta));
      case "Elu" -> x -> x >= 0 ? x : alpha * (Math.exp(x) - 1);
      case "Softsign" -> x -> x / (1 + Math.abs(x));
      case "Softplus" -> x -> Math.log1p(Math.exp(x));
      default -> throw WhittleException.builder("unknown activation").found(name).build();
    };
  }

  /** Default alpha for activations that take one, per the ONNX spec (used when the list omits it). */
  static float defaultAlpha(String name) {
    return switch (name) {
      case "LeakyRelu" -> 0.01f;
      case "HardSigmoid" -> 0.2f;
      default -> 1f;
    };
  }

  static float defaultBeta(String name) {
    return switch (name) {
      case "HardSigmoid" -> 0.5f;
      case "ScaledTanh" -> 1f;
      default -> 0f;
    };
  }
}
