package dev.whittle.cli;

import dev.whittle.runtime.SessionOptions;
import dev.whittle.runtime.conformance.Engine;
import dev.whittle.verify.OrtEngine;
import picocli.CommandLine;

/** The engines a command can run models on, by the name users type after {@code --engine}. */
final class Engines {
  private Engines() {}

  static Engine named(CommandLine cl, String name, int threads) {
    return switch (name) {
      case "whittle" -> Engine.whittle(SessionOptions.defaults().withThreads(threads));
      case "ort" -> new OrtEngine();
      default -> throw new CommandLine.ParameterException(cl, "unknown engine '" + name + "'; use whittle or ort");
    };
  }
}
