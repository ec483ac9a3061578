package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * How the {@code whittle} command turns exceptions into exit codes and one-line messages. A
 * test-only {@code fail} subcommand is added to the real command line programmatically, so the
 * real command list stays as {@link WhittleCli#subcommands()} declares it.
 */
class ErrorReporterTest {
  static final String PROBLEM = "model.onnx: node 'add_1' (Add, opset 13): input 1: expected float32, found int64";

  /** Throws what its argument names. */
  @Command(name = "fail", description = "Test only: throws an exception.")
  static final class Fail implements Callable<Integer> {
    @Parameters(index = "0") String kind;

    @Override
    public Integer call() throws Exception {
      throw switch (kind) {
        case "whittle" -> new WhittleException(PROBLEM);
        case "io" -> new NoSuchFileException("missing.onnx");
        case "unchecked-io" -> new UncheckedIOException(new IOException("disk on fire"));
        default -> new IllegalStateException("a bug");
      };
    }
  }

  private static CliRun run(String... args) {
    List<Object> subcommands = new ArrayList<>(WhittleCli.subcommands());
    subcommands.add(new Fail());
    return CliRun.on(WhittleCli.commandLine(subcommands), args);
  }

  private static void assertOneLine(CliRun r) {
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    assertEquals("", r.out());
  }

  @Test
  void whittleExceptionIsOneLineAndExitCode2() {
    CliRun r = run("fail", "whittle");
    assertEquals(2, r.exitCode(), r.err());
    assertOneLine(r);
    assertEquals("whittle: " + PROBLEM, r.err().strip());
  }

  @Test
  void ioErrorsAreBadInputToo() {
    CliRun checked = run("fail", "io");
    assertEquals(2, checked.exitCode(), checked.err());
    assertOneLine(checked);
    assertEquals("whittle: no such file or directory: missing.onnx", checked.err().strip());

    CliRun unchecked = run("fail", "unchecked-io");
    assertEquals(2, unchecked.exitCode(), unchecked.err());
    assertOneLine(unchecked);
    assertEquals("whittle: disk on fire", unchecked.err().strip());
  }

  @Test
  void anythingElseIsAnInternalErrorWithAHint() {
    CliRun r = run("fail", "bug");
    assertEquals(70, r.exitCode(), r.err());
    assertOneLine(r);
    assertTrue(r.err().startsWith("whittle: internal error: "), r.err());
    assertTrue(r.err().contains("a bug") && r.err().contains("--stacktrace"), r.err());
  }

  @Test
  void stacktraceOptionPrintsTheTraceBeforeOrAfterTheSubcommand() {
    for (String[] args : new String[][] {{"--stacktrace", "fail", "whittle"}, {"fail", "--stacktrace", "whittle"}}) {
      CliRun r = run(args);
      assertEquals(2, r.exitCode(), r.err());
      assertTrue(r.err().startsWith("whittle: " + PROBLEM), r.err());
      assertTrue(r.err().contains("\tat "), "stack trace expected for " + String.join(" ", args) + ": " + r.err());
    }
  }

  @Test
  void usageErrorsExit64() {
    CliRun missingArgument = run("fail");
    assertEquals(64, missingArgument.exitCode(), missingArgument.err());
    CliRun unknownCommand = run("no-such-command");
    assertEquals(64, unknownCommand.exitCode(), unknownCommand.err());
    CliRun unknownOption = run("--no-such-option");
    assertEquals(64, unknownOption.exitCode(), unknownOption.err());
  }

  @Test
  void helpExits0AndListsEveryRegisteredSubcommand() {
    CliRun r = CliRun.of("--help");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("Usage: whittle"), r.out());
    for (String name : WhittleCli.commandLine().getSubcommands().keySet()) {
      assertTrue(r.out().contains("  " + name + " "), name + " missing from: " + r.out());
    }
    assertFalse(r.out().contains("  fail "), "the test-only command is not registered for real");
  }

  @Test
  void versionComesFromTheBuild() {
    CliRun r = CliRun.of("--version");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().lines().findFirst().orElse("").matches("whittle \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
  }
}
