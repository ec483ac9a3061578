package dev.whittle.runtime.ops.text;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TfIdfVectorizer: counts the pool's n-grams (with up to max_skip_count skipped items between
 * members) in each row, then reports term frequencies, IDF weights or their product.
 */
public final class TfIdfVectorizerOp {
  private TfIdfVectorizerOp() {}

  public static Kernel create(NodeContext ctx) {
    int minGram = (int) ctx.attrInt("min_gram_length", 1);
    int maxGram = (int) ctx.attrInt("max_gram_length", 1);
    int maxSkip = (int) ctx.attrInt("max_skip_count", 0);
    String mode = ctx.attrString("mode", "TF");
    long[] counts = ctx.requireAttr("ngram_counts").ints();
    long[] indexes = ctx.requireAttr("ngram_indexes").ints();
    float[] weights = ctx.attrFloats("weights", null);
    List<Object> pool = new ArrayList<>();
    if (ctx.hasAttr("pool_strings")) {
      pool.addAll(ctx.attrStrings("pool_strings", List.of()));
    } else {
      for (long v : ctx.requireAttr("pool_int64s").ints()) {
        pool.add(v);
      }
    }
    // n-gram (as a list of items) -> output index, in pool order.
    Map<List<Object>, Integer> grams = new HashMap<>();
    int k = 0;
    for (int g = 0; g < counts.length; g++) {
      int n = g + 1;
      int start = (int) counts[g];
      int end = g + 1 < counts.length ? (int) counts[g + 1] : pool.size();
      for (int p = start; p + n <= end; p += n) {
        grams.put(List.copyOf(pool.subList(p, p + n)), (int) indexes[k++]);
      }
    }
    int width = 0;
    for (long i : indexes) {
      width = (int) Math.max(width, i + 1);
    }
    int outWidth = width;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      List<Object> items = new ArrayList<>();
      if (x.dtype() == DType.STRING) {
        for (byte[] b : x.strings()) {
          items.add(new String(b, StandardCharsets.UTF_8));
        }
      } else {
        for (long v : Casts.toLongs(x)) {
          items.add(v);
        }
      }
      int rows = x.rank() == 2 ? (int) x.dim(0) : 1;
      int cols = items.size() / Math.max(rows, 1);
      float[] out = new float[rows * outWidth];
      for (int r = 0; r < rows; r++) {
        List<Object> row = items.subList(r * cols, (r + 1) * cols);
        for (int n = minGram; n <= maxGram; n++) {
          for (int skip = 0; skip <= (n == 1 ? 0 : maxSkip); skip++) {
            for (int s = 0; s + (n - 1) * (skip + 1) < row.size(); s++) {
              List<Object> gram = new ArrayList<>(n);
              for (int j = 0; j < n; j++) {
                gram.add(row.get(s + j * (skip + 1)));
              }
              Integer idx = grams.get(gram);
              if (idx != null) {
                out[r * outWidth + idx] += 1;
              }
            }
          }
        }
      }
      for (int i = 0; i < out.length; i++) {
        float w = weights == null ? 1f : weights[i % outWidth];
        out[i] = switch (mode) {
          case "IDF" -> out[i] > 0 ? w : 0;
          case "TFIDF" -> out[i] * w;
          default -> out[i];
        };
      }
      long[] dims = x.rank() == 2 ? new long[] {rows, outWidth} : new long[] {outWidth};
      return new Object[] {Tensor.wrapFloats(dims, out)};
    };
  }

  public static List<Type> infer(dev.whittle.runtime.InferenceContext ctx) {
    return List.of(new Type.TensorType(DType.FLOAT, Shape.unknownRank()));
  }
}
