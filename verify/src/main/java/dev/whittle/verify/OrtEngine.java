package dev.whittle.verify;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.conformance.Engine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime as an {@link Engine} (tensor inputs and outputs only). */
public final class OrtEngine implements Engine {
  @Override
  public String name() {
    return "ort";
  }

  @Override
  public Loaded load(Model model, Path file) {
    OrtRunner runner = OrtRunner.open(file);
    return new Loaded() {
      @Override
      public Map<String, Object> run(Map<String, Object> inputs) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
          if (!(v instanceof Tensor t)) {
            throw WhittleException.builder("input '" + k + "' is not a tensor; the ONNX Runtime engine takes tensors only").build();
          }
          tensors.put(k, t);
        });
        return new LinkedHashMap<>(runner.run(tensors));
      }

      @Override
      public void close() {
        runner.close();
      }
    };
  }
}
