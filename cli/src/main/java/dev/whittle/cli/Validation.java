package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.check.ModelChecker;
import dev.whittle.ir.check.Problem;
import java.util.List;

/** Structural problems of a model for the CLI, one line each ("ERROR ..." / "WARNING ..."). */
final class Validation {
  private Validation() {}

  static List<String> problems(Model m) {
    return ModelChecker.check(m).stream().map(Problem::toString).toList();
  }
}
