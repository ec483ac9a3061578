package dev.whittle.benchmarks;

import dev.whittle.ir.Tensor;
import dev.whittle.verify.text.BertTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where benchmarks find their models: the build's models/target/onnx and ../shared/models. */
final class BenchmarkModels {
  private BenchmarkModels() {}

  static Path fetched(String relative) {
    return find(System.getProperty("whittle.models.dir"), relative, "models/target/onnx", "../models/target/onnx");
  }

  static Path shared(String relative) {
    return sharedFile("models/" + relative);
  }

  /** A file of ../shared other than a model, such as {@code datasets/mnist/images.pb}. */
  static Path sharedFile(String relative) {
    return find(System.getProperty("whittle.shared.dir"), relative, "../shared", "../../shared");
  }

  /** The calibration sentences the README's first command quantizes MiniLM with (one per line). */
  static Path calibrationSentences() {
    return find(null, "verify/src/test/resources/dev/whittle/verify/calibration-sentences.txt", ".", "..");
  }

  /** MiniLM-L6's inputs for one real sentence tokenized to {@code length} tokens (batch 1). */
  static Map<String, Tensor> miniLmInputs(int length) {
    BertTokenizer tok = BertTokenizer.load(fetched("minilm/all-minilm-l6-v2-tokenizer.json"));
    BertTokenizer.Encoding e = tok.encode("Whittle is an ONNX model optimization and compression compiler for the JVM, "
        + "written in Java, which makes models smaller and faster before they ship.", length);
    long[] dims = {1, length};
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("input_ids", Tensor.ofLongs(dims, e.inputIds()));
    inputs.put("attention_mask", Tensor.ofLongs(dims, e.attentionMask()));
    inputs.put("token_type_ids", Tensor.ofLongs(dims, e.tokenTypeIds()));
    return inputs;
  }

  private static Path find(String configured, String relative, String... defaults) {
    if (configured != null && Files.exists(Path.of(configured, relative))) {
      return Path.of(configured, relative);
    }
    for (String d : defaults) {
      if (Files.exists(Path.of(d, relative))) {
        return Path.of(d, relative);
      }
    }
    throw new IllegalStateException(relative + " not found; run from the repository root after `mvn install`"
        + " (set -Dwhittle.models.dir / -Dwhittle.shared.dir otherwise)");
  }
}
