package dev.whittle.verify;

import dev.whittle.ir.Tensor;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.verify.text.BertTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared helpers of the quantization checks: test sentences, BERT inputs, pooling, cosine. */
public final class SentenceEmbeddings {
  private SentenceEmbeddings() {}

  /** The English test sentences (one per line) of {@code sentences.txt}. */
  public static List<String> sentences() {
    return lines("sentences.txt");
  }

  /**
   * The calibration sentences of {@code calibration-sentences.txt}: written for calibration, none of
   * them among {@link #sentences()}.
   */
  public static List<String> calibrationSentences() {
    return lines("calibration-sentences.txt");
  }

  /**
   * A larger calibration text, {@code calibration-text.txt}: 2,400 further sentences written for
   * calibration on everyday, science, technology, travel and culture, sports and people, and civic
   * topics (in shuffled order), none of them among {@link #sentences()} or {@link #calibrationSentences()}.
   */
  public static List<String> calibrationText() {
    return lines("calibration-text.txt");
  }

  private static List<String> lines(String resource) {
    try (InputStream in = SentenceEmbeddings.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, Tensor> bertInputs(BertTokenizer.Encoding e) {
    long[] dims = {1, e.inputIds().length};
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input_ids", Tensor.ofLongs(dims, e.inputIds()));
    in.put("attention_mask", Tensor.ofLongs(dims, e.attentionMask()));
    in.put("token_type_ids", Tensor.ofLongs(dims, e.tokenTypeIds()));
    return in;
  }

  /** The encoding cut to its real tokens (no padding). */
  public static BertTokenizer.Encoding unpadded(BertTokenizer.Encoding e) {
    int n = 0;
    for (long m : e.attentionMask()) {
      n += m != 0 ? 1 : 0;
    }
    return new BertTokenizer.Encoding(java.util.Arrays.copyOf(e.inputIds(), n), java.util.Arrays.copyOf(e.attentionMask(), n),
        java.util.Arrays.copyOf(e.tokenTypeIds(), n));
  }

  /** Mean of the hidden states over the real (unmasked) tokens. */
  public static double[] meanPool(Tensor hidden, long[] mask) {
    double[] h = Casts.toDoubles(hidden);
    int dim = (int) hidden.dim(2);
    double[] out = new double[dim];
    int count = 0;
    for (int t = 0; t < mask.length; t++) {
      if (mask[t] == 0) {
        continue;
      }
      count++;
      for (int i = 0; i < dim; i++) {
        out[i] += h[t * dim + i];
      }
    }
    for (int i = 0; i < dim; i++) {
      out[i] /= count;
    }
    return out;
  }

  public static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
