package dev.whittle.pruning;

import dev.whittle.passes.Pass;
import dev.whittle.passes.PassProvider;
import java.util.List;

/** Makes the pruning passes available by id (ServiceLoader). */
public final class PruningPasses implements PassProvider {
  @Override
  public List<Pass> passes() {
    return List.of(new PruneMagnitude(), new PruneChannels());
  }
}
