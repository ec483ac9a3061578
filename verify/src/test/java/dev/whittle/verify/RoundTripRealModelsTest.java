package dev.whittle.verify;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real models survive the round trip: equal IR, deterministic bytes, bit-identical ORT outputs. */
class RoundTripRealModelsTest {
  @TempDir Path dir;

  private void check(Path model, Map<String, Tensor> inputs) throws IOException {
    Path written = RoundTrip.writeAndCheck(model, dir);
    RoundTrip.assertSameOutputsInOrt(model, written, inputs);
  }

  private static Map<String, Tensor> random(Path model, RandomInputs gen) {
    return gen.generate(OnnxReader.read(model).graph().inputs());
  }

  @Test
  void sharedModels() throws IOException {
    Path models = TestAssets.shared().resolve("models");
    try (Stream<Path> s = Files.walk(models)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
        Model m = OnnxReader.read(p);
        RandomInputs gen = new RandomInputs().seed(7).symbolicSize(1).floatRange(0, 1);
        if (p.toString().contains("silero")) {
          // One 512-sample chunk at 16 kHz with a zero state; v4 has h/c state inputs of [2, 1, 64].
          gen.symbol("batch", 1).intRange(1);
          Map<String, Tensor> in = new LinkedHashMap<>(gen.generate(m.graph().inputs()));
          m.graph().inputs().forEach(v -> {
            if (v.name().equals("input")) {
              in.put("input", new RandomInputs().seed(3).shape("input", 1, 512).generate(java.util.List.of(v)).get("input"));
            }
            if (v.name().equals("sr")) {
              in.put("sr", Tensor.scalar(16000L));
            }
          });
          check(p, in);
        } else {
          check(p, gen.generate(m.graph().inputs()));
        }
        dir = Files.createTempDirectory(dir, "next");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm/all-minilm-l6-v2.onnx", "minilm-q/all-minilm-l6-v2-q.onnx"})
  void miniLm(String relative) throws IOException {
    Path model = TestAssets.fetchedModel(relative);
    long[] ids = {101, 7592, 2088, 2003, 1037, 3231, 1012, 102};
    long[] mask = new long[ids.length];
    java.util.Arrays.fill(mask, 1);
    long[] dims = {1, ids.length};
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input_ids", Tensor.ofLongs(dims, ids));
    in.put("attention_mask", Tensor.ofLongs(dims, mask));
    in.put("token_type_ids", Tensor.ofLongs(dims, new long[ids.length]));
    check(model, in);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ch_PP-OCRv3_det_infer.onnx", "ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv3_rec_infer.onnx",
      "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"})
  void paddleOcr(String name) throws IOException {
    Path model = TestAssets.fetchedModel("paddleocr/" + name);
    RandomInputs gen = new RandomInputs().seed(11).floatRange(-1, 1);
    if (name.contains("det")) {
      gen.symbolicSize(1).shape("x", 1, 3, 160, 160);
    } else if (name.contains("rec")) {
      gen.symbolicSize(1).shape("x", 1, 3, 48, 160);
    } else {
      gen.symbolicSize(1).shape("x", 1, 3, 48, 192);
    }
    check(model, random(model, gen));
  }
}
