package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command hook with real external commands: POSIX shell one-liners and {@link ExternalTrainer}
 * run in a separate JVM (the current JDK's {@code java}, this test's class path).
 */
class CommandHookTest {
  @TempDir Path tmp;

  @BeforeAll
  static void posixShell() {
    assumeFalse(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows"), "the test commands are sh scripts");
  }

  private static final PruningOptions HALF = PruningOptions.of(0.5);

  private static List<Map<String, Tensor>> calibration(int n) {
    Random r = new Random(9);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      float[] x = new float[16];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      out.add(Map.of("x", Tensor.ofFloats(new long[] {2, 8}, x)));
    }
    return out;
  }

  private static String quoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Runs {@link ExternalTrainer} in a new JVM in the given mode, expecting {@code samples} calibration samples. */
  private static String trainer(String mode, int samples) {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return quoted(java) + " -cp " + quoted(System.getProperty("java.class.path")) + " " + ExternalTrainer.class.getName() + " " + mode
        + " " + samples;
  }

  private static CommandHook hook(String command, List<String> lines) {
    return new CommandHook(command).withOutput(s -> {
      synchronized (lines) {
        lines.add(s);
      }
    });
  }

  private WhittleException fails(String command) {
    return assertThrows(WhittleException.class,
        () -> Pruner.prune(MagnitudePrunerTest.mlp(), HALF, Schedule.oneShot(), hook(command, new ArrayList<>()), calibration(1)));
  }

  @Test
  void copyingTheWeightsBackIsANoOpAndEveryStepGetsAFreshFolderThatIsDeleted() throws IOException {
    Path log = tmp.resolve("dirs.txt");
    String copy = "cp \"$WHITTLE_RETRAIN_DIR\"/weights/*.pb {dir}/out/ && echo \"$WHITTLE_RETRAIN_STEP $WHITTLE_RETRAIN_DIR\" >> "
        + quoted(log.toString());
    Model m = MagnitudePrunerTest.mlp();
    PruningOptions o = PruningOptions.of(0.6).withSkipFirstAndLast(false);
    Pruner.Result viaCommand = Pruner.prune(m, o, Schedule.gradual(2), hook(copy, new ArrayList<>()), calibration(2));
    Pruner.Result none = Pruner.prune(m, o, Schedule.gradual(2), RetrainHook.NONE, calibration(2));
    for (String w : List.of("W1", "W2", "W3")) {
      assertTrue(viaCommand.model().graph().value(w).initializer().contentEquals(none.model().graph().value(w).initializer()), w);
    }
    List<String> steps = Files.readAllLines(log);
    assertEquals(2, steps.size(), steps.toString());
    assertTrue(steps.get(0).startsWith("1 ") && steps.get(1).startsWith("2 "), steps.toString());
    for (String s : steps) {
      Path dir = Path.of(s.substring(2));
      assertFalse(Files.exists(dir), "deleted: " + dir);
    }
    assertFalse(steps.get(0).substring(2).equals(steps.get(1).substring(2)), "a fresh folder per step");
  }

  @Test
  void theTrainersWeightsReplaceThePrunedOnes() {
    Model m = MagnitudePrunerTest.mlp();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Pruner.Result r = Pruner.prune(m, HALF, Schedule.oneShot(), hook(trainer("double", 3) + " && echo trained", lines), calibration(3));
    float[] w0 = m.graph().value("W2").initializer().toFloatArray();
    float[] w = r.model().graph().value("W2").initializer().toFloatArray();
    // half of W2's 64 weights stay: those of largest |w|, now doubled by the trainer
    float[] sorted = new float[w0.length];
    for (int i = 0; i < w0.length; i++) {
      sorted[i] = Math.abs(w0[i]);
    }
    java.util.Arrays.sort(sorted);
    float threshold = sorted[31];
    for (int i = 0; i < w0.length; i++) {
      assertEquals(Math.abs(w0[i]) > threshold ? 2 * w0[i] : 0f, w[i], "W2[" + i + "]");
    }
    assertTrue(lines.contains("trained"), "the command's output reaches the consumer: " + lines);
  }

  @Test
  void aWrongShapeNamesTheWeightTheFileAndBothShapes() {
    WhittleException e = fails(trainer("transpose", 1));
    assertEquals("retrain command (out/0.pb) returned weight 'W2' of the wrong shape; expected float32[4, 16], found float32[16, 4]",
        e.getMessage());
  }

  @Test
  void nonZeroValuesAtPrunedPositionsAreRefused() {
    WhittleException e = fails(trainer("resurrect", 1));
    assertTrue(e.getMessage().startsWith("retrain command (out/0.pb) returned weight 'W2' with 32 non-zero value(s) at pruned positions"),
        e.getMessage());
    assertTrue(e.getMessage().contains("found 32 of 32 pruned positions non-zero"), e.getMessage());
  }

  @Test
  void anUnknownWeightIsRefused() {
    WhittleException e = fails(trainer("unknown", 1));
    assertTrue(e.getMessage().startsWith("retrain command (out/0.pb) returned 'nope', which is not a weight of the model"), e.getMessage());
  }

  @Test
  void aFailingCommandReportsItsExitCodeAndLastErrorLines() {
    WhittleException e = fails("echo starting; echo 'CUDA out of memory' >&2; exit 3");
    assertTrue(e.getMessage().startsWith("retrain command failed at step 1 with exit code 3"), e.getMessage());
    // only error output is quoted, not the standard output line "starting"
    assertTrue(e.getMessage().endsWith("; last error output:\n  CUDA out of memory"), e.getMessage());
  }

  @Test
  void aCommandThatWritesNothingIsAnError() {
    WhittleException e = fails("true");
    assertEquals("retrain command wrote no updated weight for 1 of 1 pruned weight(s) at step 1, e.g. 'W2'; expected out/0.pb, or any"
        + " out/*.pb TensorProto named 'W2', found nothing in out/", e.getMessage());
  }

  @Test
  void aCommandThatRunsTooLongIsStopped() {
    CommandHook slow = hook("sleep 30", new ArrayList<>()).withTimeout(Duration.ofMillis(300));
    WhittleException e = assertThrows(WhittleException.class,
        () -> Pruner.prune(MagnitudePrunerTest.mlp(), HALF, Schedule.oneShot(), slow, List.of()));
    assertTrue(e.getMessage().startsWith("retrain command timed out at step 1 and was stopped; expected an exit within 0.300 s"),
        e.getMessage());
  }
}
