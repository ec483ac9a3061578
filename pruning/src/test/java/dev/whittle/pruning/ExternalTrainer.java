package dev.whittle.pruning;

import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for a user's trainer, run by {@link CommandHookTest} as a separate JVM. It follows the
 * exchange format of {@link CommandHook}: reads {@code manifest.json}, checks the weight, mask and
 * calibration files, and writes results to {@code out/} according to its mode:
 * {@code double} (kept weights times two, unnamed {@code out/N.pb}), {@code transpose} (dims
 * reversed), {@code resurrect} (every weight 1), {@code unknown} (a tensor named "nope").
 */
public final class ExternalTrainer {
  private ExternalTrainer() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int samples = Integer.parseInt(args[1]);
    Path dir = Path.of(System.getenv(CommandHook.DIR_VARIABLE));
    Map<?, ?> manifest = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("manifest.json")));
    require(CommandHook.FORMAT.equals(manifest.get("format")), "format");
    require(Long.parseLong(System.getenv(CommandHook.STEP_VARIABLE)) == (Long) manifest.get("step"), "step");
    require(Files.isRegularFile(dir.resolve((String) manifest.get("model"))), "model");
    List<?> calibration = (List<?>) manifest.get("calibration");
    require(calibration.size() == samples, "calibration count " + calibration.size());
    for (Object set : calibration) {
      require(Files.isRegularFile(dir.resolve(set + "/input_0.pb")), "calibration file in " + set);
    }
    for (Object o : (List<?>) manifest.get("weights")) {
      Map<?, ?> w = (Map<?, ?>) o;
      Tensor weight = OnnxReader.readTensor(dir.resolve((String) w.get("weight")));
      Tensor mask = OnnxReader.readTensor(dir.resolve((String) w.get("mask")));
      require(weight.name().equals(w.get("name")) && mask.dtype() == DType.BOOL && Arrays.equals(mask.dims(), weight.dims()), "files");
      float[] v = weight.toFloatArray();
      byte[] keep = mask.toByteArray();
      long kept = 0;
      for (int i = 0; i < v.length; i++) {
        require(keep[i] != 0 || v[i] == 0f, "pruned weights arrive as zero");
        kept += keep[i];
      }
      require(kept == (Long) w.get("kept"), "kept count");
      Path out = dir.resolve((String) w.get("output"));
      switch (mode) {
        case "double" -> {
          for (int i = 0; i < v.length; i++) {
            v[i] *= 2;
          }
          OnnxWriter.writeTensor(Tensor.ofFloats(weight.dims(), v), out);
        }
        case "transpose" -> {
          long[] d = weight.dims();
          OnnxWriter.writeTensor(Tensor.ofFloats(new long[] {d[1], d[0]}, v).withName(weight.name()), out);
        }
        case "resurrect" -> {
          Arrays.fill(v, 1f);
          OnnxWriter.writeTensor(Tensor.ofFloats(weight.dims(), v).withName(weight.name()), out);
        }
        case "unknown" -> OnnxWriter.writeTensor(weight.withName("nope"), out);
        default -> throw new IllegalArgumentException(mode);
      }
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      System.err.println("ExternalTrainer: bad exchange folder: " + what);
      System.exit(4);
    }
  }
}
