package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Dim;
import dev.whittle.ir.Model;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.ShapeInference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Shape inference without running the model agrees with what actually flows: with the inputs
 * fixed to concrete shapes, every value whose inferred type has a rank is tapped during a run and
 * compared (element type, rank, every fixed dim); the graph outputs are also compared with the
 * shapes ONNX Runtime returns.
 */
class ShapeInferenceMatchesRuntimeTest {
  @ParameterizedTest
  @CsvSource({"minilm/all-minilm-l6-v2.onnx,16", "paddleocr/ch_PP-OCRv4_rec_infer.onnx,0", "paddleocr/ch_PP-OCRv3_det_infer.onnx,0",
      "paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx,0"})
  void fetchedModels(String relative, int sequence) {
    check(TestAssets.fetchedModel(relative), sequence, true);
  }

  /**
   * The silero models are checked against tapped values only: written with our value_info, ONNX
   * Runtime refuses them (v5: "LSTM first input must have rank 3" in a nested If; legacy: an
   * initializer error at session start). Known issue, to be found before the optimizer writes
   * inferred value_info.
   */
  @ParameterizedTest
  @CsvSource({"cnn/ultraface-rfb-320/version-RFB-320.onnx,true", "cnn/mnist-8/model.onnx,true",
      "cnn/super-resolution-10/super_resolution.onnx,true", "audio/silero-vad/silero_vad_v5.onnx,false",
      "audio/silero-vad/silero_vad_legacy.onnx,false"})
  void sharedModels(String relative, boolean writtenLoadsInOrt) {
    check(TestAssets.shared().resolve("models").resolve(relative), 0, writtenLoadsInOrt);
  }

  @org.junit.jupiter.api.io.TempDir static Path work;

  private static void check(Path file, int sequence, boolean writtenLoadsInOrt) {
    Model m = OnnxReader.read(file);
    RandomInputs gen = new RandomInputs().seed(3).floatRange(0, 1).intRange(2).symbolicSize(1);
    for (Value v : m.graph().inputs()) {
      if (!(v.type() instanceof Type.TensorType t) || !t.shape().hasRank()) {
        continue;
      }
      long[] dims = new long[t.shape().rank()];
      for (int i = 0; i < dims.length; i++) {
        Dim d = t.shape().dim(i);
        dims[i] = d.isFixed() ? d.value() : i == 0 || file.toString().contains("silero") ? 1 : sequence > 0 ? sequence : 160;
      }
      if (v.name().equals("input") && file.toString().contains("silero")) {
        dims = new long[] {1, 512};
      }
      if (file.toString().contains("rec") || file.toString().contains("cls")) {
        dims[2] = 48;
      }
      gen.shape(v.name(), dims);
      v.setType(new Type.TensorType(t.elementType(), Shape.of(dims)));
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>(gen.generate(m.graph().inputs()));
    if (inputs.containsKey("sr")) {
      inputs.put("sr", Tensor.scalar(16000L));
    }
    ShapeInference.Report report = ShapeInference.infer(m);
    assertEquals(List.of(), report.conflicts(), "inference conflicts");
    Map<String, Type.TensorType> inferred = new HashMap<>();
    for (Value v : m.graph().values()) {
      if (v.type() instanceof Type.TensorType t && t.shape().hasRank()) {
        inferred.put(v.name(), t);
      }
    }
    List<String> wrong = new ArrayList<>();
    int[] fullyStatic = {0};
    try (Session s = Session.open(m)) {
      s.runValues(inputs, RunOptions.tap(inferred.keySet(), (name, t) -> {
        Type.TensorType ty = inferred.get(name);
        boolean ok = ty.elementType() == t.dtype() && ty.shape().rank() == t.rank();
        for (int i = 0; ok && i < t.rank(); i++) {
          ok = !ty.shape().dim(i).isFixed() || ty.shape().dim(i).value() == t.dim(i);
        }
        fullyStatic[0] += ty.shape().isStatic() ? 1 : 0;
        if (!ok) {
          wrong.add(name + ": inferred " + ty + ", actual " + t.dtype().displayName() + Shape.format(t.dims()));
        }
      }));
    }
    assertEquals(List.of(), wrong);
    Map<String, Tensor> ort;
    try (OrtRunner r = OrtRunner.open(file)) {
      ort = r.run(inputs);
    }
    for (Value out : m.graph().outputs()) {
      if (out.type() instanceof Type.TensorType t && t.shape().isStatic()) {
        assertTrue(java.util.Arrays.equals(t.shape().toArray(), ort.get(out.name()).dims()),
            out.name() + ": inferred " + t + ", ONNX Runtime " + Shape.format(ort.get(out.name()).dims()));
      }
    }
    // ONNX Runtime checks value_info against its own inference when it loads a model: the model
    // written with ours (subgraphs included) must load and compute the same outputs.
    if (writtenLoadsInOrt) {
      Path written = work.resolve(file.getFileName());
      dev.whittle.ir.onnx.OnnxWriter.write(m, written);
      Map<String, Tensor> again;
      try (OrtRunner r = OrtRunner.open(written)) {
        again = r.run(inputs);
      }
      RuntimeMatchesOrtTest.assertClose(ort, again, "with inferred value_info " + file.getFileName());
    }
    System.out.printf("%s: %d values typed, %d with fully static shapes, none contradicted by the run%n",
        file.getFileName(), inferred.size(), fullyStatic[0]);
  }
}
