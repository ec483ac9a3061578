package dev.whittle.quantization;

import dev.whittle.ir.WhittleException;
import java.util.Locale;
import java.util.Set;

/**
 * What to quantize and how.
 *
 * <ul>
 *   <li>{@code mode}: {@link Mode#DYNAMIC} (int8 weights, activations quantized at run time by
 *       DynamicQuantizeLinear, integer MatMul), {@link Mode#WEIGHT_ONLY} (int8 weights followed by
 *       DequantizeLinear, float compute) or {@link Mode#STATIC} (calibrated QuantizeLinear /
 *       DequantizeLinear pairs around Conv/MatMul/Gemm inputs, weights and outputs);
 *   <li>{@code format}: {@link Format#QDQ} (QuantizeLinear/DequantizeLinear pairs; ONNX Runtime fuses
 *       them into its integer kernels itself) or {@link Format#QOP} (static only: QLinearConv and
 *       QLinearMatMul written directly; dynamic mode writes integer ops in either format);
 *   <li>{@code perChannel}: one weight scale per output channel (Conv axis 0, MatMul [K,N] axis 1,
 *       Gemm axis 0 with transB, else 1) instead of one per tensor;
 *   <li>{@code symmetric}: static activations as symmetric int8 (zero point 0) instead of
 *       asymmetric uint8. Weights are always symmetric int8 unless {@code asymmetricWeights};
 *   <li>{@code exclude}: node names kept in float;
 *   <li>{@code weightOnly}: node names that get int8 weights but float compute, whatever the mode
 *       (a cheaper fallback than {@code exclude} for nodes whose activations quantize badly);
 *   <li>{@code unpackOnLoad}: int8 weights of the weight-only form widened by ops a runtime folds when
 *       loading ({@link #withUnpackOnLoad}).
 * </ul>
 */
public record QuantizationOptions(Mode mode, Format format, boolean perChannel, boolean symmetric, boolean asymmetricWeights,
    boolean quantizeEmbeddings, Set<String> exclude, Set<String> weightOnly, Set<String> perToken, boolean unpackOnLoad) {

  /** How activations are handled. */
  public enum Mode {
    STATIC, DYNAMIC, WEIGHT_ONLY;

    public static Mode parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "static" -> STATIC;
        case "dynamic" -> DYNAMIC;
        case "weight-only", "weight_only", "weightonly" -> WEIGHT_ONLY;
        default -> throw WhittleException.builder("unknown quantization mode '" + s + "'")
            .expected("static, dynamic or weight-only").found(s).build();
      };
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** How quantized compute is written. */
  public enum Format {
    QDQ, QOP;

    public static Format parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "qdq" -> QDQ;
        case "qop" -> QOP;
        default -> throw WhittleException.builder("unknown quantization format '" + s + "'").expected("qdq or qop").found(s).build();
      };
    }
  }

  /** {@link #perToken} entry: every MatMul. */
  public static final String ALL = "*";
  /** {@link #perToken} entry: MatMuls whose weight [K,N] has K > N. */
  public static final String WIDE = "wide";

  public QuantizationOptions {
    exclude = Set.copyOf(exclude);
    weightOnly = Set.copyOf(weightOnly);
    perToken = Set.copyOf(perToken);
  }

  /** Dynamic, per-tensor, symmetric int8 weights, embeddings quantized. */
  public static QuantizationOptions defaults(Mode mode) {
    return new QuantizationOptions(mode, Format.QDQ, false, false, false, true, Set.of(), Set.of(), Set.of(WIDE), false);
  }

  public QuantizationOptions withPerChannel(boolean b) {
    return new QuantizationOptions(mode, format, b, symmetric, asymmetricWeights, quantizeEmbeddings, exclude, weightOnly, perToken, unpackOnLoad);
  }

  public QuantizationOptions withSymmetric(boolean b) {
    return new QuantizationOptions(mode, format, perChannel, b, asymmetricWeights, quantizeEmbeddings, exclude, weightOnly, perToken, unpackOnLoad);
  }

  public QuantizationOptions withAsymmetricWeights(boolean b) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, b, quantizeEmbeddings, exclude, weightOnly, perToken, unpackOnLoad);
  }

  public QuantizationOptions withQuantizeEmbeddings(boolean b) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, asymmetricWeights, b, exclude, weightOnly, perToken, unpackOnLoad);
  }

  public QuantizationOptions withExclude(Set<String> names) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, asymmetricWeights, quantizeEmbeddings, names, weightOnly, perToken, unpackOnLoad);
  }

  /** Nodes (by name) given int8 weights but float compute (weight-only form) whatever the mode. */
  public QuantizationOptions withWeightOnly(Set<String> names) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, asymmetricWeights, quantizeEmbeddings, exclude, names, perToken, unpackOnLoad);
  }

  /**
   * Dynamic mode: MatMuls (by name; {@link #ALL} for all, {@link #WIDE} for those whose input has more
   * features than their output, i.e. down-projections such as a transformer's FFN output, the default)
   * whose activation rows are scaled to max |x| = 1 (in the graph) before DynamicQuantizeLinear and
   * the product scaled back: one outlier token then no longer coarsens every other token's steps.
   * Costs a few elementwise ops.
   */
  public QuantizationOptions withPerToken(Set<String> names) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, asymmetricWeights, quantizeEmbeddings, exclude, weightOnly,
        names, unpackOnLoad);
  }

  public QuantizationOptions withFormat(Format f) {
    return new QuantizationOptions(mode, f, perChannel, symmetric, asymmetricWeights, quantizeEmbeddings, exclude, weightOnly, perToken, unpackOnLoad);
  }

  /**
   * Weight-only form: each int8 weight is widened by Cast (and Mul by its scales, Sub of its zero
   * points when not zero) instead of DequantizeLinear. Those read only initializers, so ONNX Runtime
   * (and Whittle's constant folding) compute the float weights once when the model is loaded: the
   * file keeps int8 weights, compute runs at float speed. DequantizeLinear is deliberately not folded
   * by ONNX Runtime (its QDQ fusions need it), so the default form dequantizes on every run.
   */
  public QuantizationOptions withUnpackOnLoad(boolean b) {
    return new QuantizationOptions(mode, format, perChannel, symmetric, asymmetricWeights, quantizeEmbeddings, exclude, weightOnly,
        perToken, b);
  }

  @Override
  public String toString() {
    return "mode=" + mode.id() + ", format=" + format.name().toLowerCase(Locale.ROOT) + ", per-channel=" + perChannel + ", symmetric="
        + symmetric + (asymmetricWeights ? ", asymmetric-weights" : "") + (exclude.isEmpty() ? "" : ", exclude=" + exclude.stream().sorted().toList())
        + (unpackOnLoad ? ", unpack-on-load" : "");
  }
}
