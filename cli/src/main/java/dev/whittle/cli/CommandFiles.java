package dev.whittle.cli;

import dev.whittle.ir.AtomicOutput;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.verify.InputSource;
import dev.whittle.verify.text.SentenceInputs;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.quantization.CalibrationData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** File handling the commands share: calibration inputs named on the command line, and reports. */
final class CommandFiles {
  private CommandFiles() {}

  /**
   * The samples {@code --calibration} names: {@code random} (seeded), a folder of
   * {@code test_data_set_N} folders, or a TensorProto file of samples stacked on axis 0 (at most
   * {@code samples} of them).
   */
  static Iterable<Map<String, Tensor>> calibration(String calibration, Model model, long seed, int samples) {
    return calibration(calibration, null, model, seed, samples);
  }

  /** As {@link #calibration(String, Model, long, int)}; with a tokenizer, FILE is text: one sentence per line. */
  static Iterable<Map<String, Tensor>> calibration(String calibration, Path tokenizer, Model model, long seed, int samples) {
    if (tokenizer != null) {
      return new SentenceInputs(Path.of(calibration), tokenizer, 0, samples, true).samples(model).stream().map(InputSource.Sample::inputs)
          .toList();
    }
    if ("random".equals(calibration)) {
      return CalibrationData.random(model, seed, samples);
    }
    Path p = Path.of(calibration);
    if (Files.isDirectory(p)) {
      return CalibrationData.testDataSets(p, model);
    }
    if (!Files.isRegularFile(p)) {
      throw WhittleException.builder("--calibration: no such file or folder").file(p).expected("DIR, FILE or random").build();
    }
    long n = OnnxReader.readTensor(p).dim(0);
    return CalibrationData.stacked(p, model, 0, (int) Math.min(n, samples));
  }

  /**
   * Up to 20 sentences of a text calibration file after the {@code calibrated} first ones (or its
   * first ones when it has no more), each at its own length: held out for comparing models.
   */
  static InputSource heldOutSentences(String calibration, Path tokenizer, int calibrated) {
    Path text = Path.of(calibration);
    int lines = new SentenceInputs(text, tokenizer, 0, Integer.MAX_VALUE, false).sentences().size();
    return lines > calibrated ? new SentenceInputs(text, tokenizer, calibrated, 20, false)
        : new SentenceInputs(text, tokenizer, 0, Math.min(lines, 20), false);
  }

  /** Writes a report atomically: readers never see half of it, a failure leaves the old file. */
  static void writeText(Path file, String text) throws IOException {
    try (AtomicOutput a = new AtomicOutput()) {
      Files.writeString(a.temporaryFor(file), text, StandardCharsets.UTF_8);
      a.commit();
    }
  }
}
