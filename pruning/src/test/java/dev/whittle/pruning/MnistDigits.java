package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.runtime.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The 10,000 MNIST digits of ../shared as mnist-8 inputs: the first {@link #CALIBRATION} calibrate,
 * the rest measure top-1 (or the test is skipped when ../shared is absent).
 */
final class MnistDigits {
  static final int CALIBRATION = 500;

  private final byte[] images;
  private final byte[] labels;
  final Path model;

  MnistDigits() {
    Path dir = TestAssets.shared();
    images = OnnxReader.readTensor(dir.resolve("datasets/mnist/images.pb")).toByteArray();
    labels = OnnxReader.readTensor(dir.resolve("datasets/mnist/labels.pb")).toByteArray();
    model = dir.resolve("models/cnn/mnist-8/model.onnx");
  }

  /** Digit {@code i} as mnist-8's input (pixels 0..255 as float). */
  Map<String, Tensor> digit(int i) {
    float[] px = new float[784];
    for (int p = 0; p < 784; p++) {
      px[p] = images[i * 784 + p] & 0xFF;
    }
    return Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
  }

  List<Map<String, Tensor>> calibration() {
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < CALIBRATION; i++) {
      out.add(digit(i));
    }
    return out;
  }

  /** Top-1 on the digits after the calibration ones (the session is thread-safe: digits run in parallel). */
  double top1(Model m) {
    try (Session s = Session.open(m)) {
      long correct = IntStream.range(CALIBRATION, labels.length).parallel().filter(i -> {
        float[] y = s.run(digit(i)).values().iterator().next().toFloatArray();
        int best = 0;
        for (int c = 1; c < y.length; c++) {
          best = y[c] > y[best] ? c : best;
        }
        return best == (labels[i] & 0xFF);
      }).count();
      return correct / (double) (labels.length - CALIBRATION);
    }
  }
}
