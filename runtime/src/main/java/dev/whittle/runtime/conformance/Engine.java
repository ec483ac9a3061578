package dev.whittle.runtime.conformance;

import dev.whittle.ir.Model;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import dev.whittle.runtime.SessionOptions;
import java.nio.file.Path;
import java.util.Map;

/**
 * Something that runs ONNX models: Whittle's runtime here, ONNX Runtime in the verify module. Used
 * by the conformance runner and the {@code whittle run} command so both engines are driven alike.
 */
public interface Engine {
  /** A loaded model. */
  interface Loaded extends AutoCloseable {
    /** Runs on the given inputs (tensors, sequences, optionals) and returns outputs by name. */
    Map<String, Object> run(Map<String, Object> inputs);

    @Override
    void close();
  }

  String name();

  /** Loads {@code model}, which was read from {@code file}. */
  Loaded load(Model model, Path file);

  /** Whittle's own runtime. */
  static Engine whittle(SessionOptions options) {
    return new Engine() {
      @Override
      public String name() {
        return "whittle";
      }

      @Override
      public Loaded load(Model model, Path file) {
        Session s = Session.open(model, options);
        return new Loaded() {
          @Override
          public Map<String, Object> run(Map<String, Object> inputs) {
            return s.runValues(inputs, RunOptions.NONE);
          }

          @Override
          public void close() {
            s.close();
          }
        };
      }
    };
  }
}
