package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.ops.Casts;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** mnist-8 on all 10,000 digits: Whittle's top-1 equals ONNX Runtime's, digit by digit. */
class MnistAccuracyTest {
  private static int argmax(Tensor t) {
    double[] v = Casts.toDoubles(t);
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void sameTopOneAsOnnxRuntimeOnAllTenThousandDigits() {
    Path dir = TestAssets.shared().resolve("datasets/mnist");
    Path model = TestAssets.shared().resolve("models/cnn/mnist-8/model.onnx");
    byte[] images = OnnxReader.readTensor(dir.resolve("images.pb")).toByteArray();
    byte[] labels = OnnxReader.readTensor(dir.resolve("labels.pb")).toByteArray();
    int n = labels.length;
    int whittleCorrect = 0;
    int ortCorrect = 0;
    int disagreements = 0;
    try (OrtRunner ort = OrtRunner.open(model); Session s = Session.open(OnnxReader.read(model))) {
      for (int i = 0; i < n; i++) {
        float[] px = new float[784];
        for (int p = 0; p < 784; p++) {
          px[p] = images[i * 784 + p] & 0xFF;
        }
        Map<String, Tensor> in = Map.of("Input3", Tensor.wrapFloats(new long[] {1, 1, 28, 28}, px));
        int w = argmax(s.run(in).get("Plus214_Output_0"));
        int o = argmax(ort.run(in).get("Plus214_Output_0"));
        int label = labels[i] & 0xFF;
        whittleCorrect += w == label ? 1 : 0;
        ortCorrect += o == label ? 1 : 0;
        disagreements += w != o ? 1 : 0;
      }
    }
    System.out.printf("mnist-8 top-1 on %d digits: Whittle %.4f, ONNX Runtime %.4f, %d disagreements%n",
        n, whittleCorrect / (double) n, ortCorrect / (double) n, disagreements);
    assertEquals(0, disagreements);
    assertEquals(ortCorrect, whittleCorrect);
  }
}
