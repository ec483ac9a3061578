package dev.whittle.cli;

import dev.whittle.ir.IoErrors;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns exceptions into one line on stderr and an exit code: bad input and unsupported models (a
 * {@link WhittleException}, I/O errors) exit 2; anything else is an internal error, exit 70. The
 * stack trace is printed only with {@code --stacktrace} or {@code WHITTLE_DEBUG=1}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  static final int BAD_INPUT = 2;
  static final int USAGE = 64;
  static final int INTERNAL = 70;

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    boolean trace = stacktraceRequested(parsed) || "1".equals(System.getenv("WHITTLE_DEBUG"));
    var err = cl.getErr();
    String message = switch (e) {
      case WhittleException w -> w.getMessage();
      case UncheckedIOException u -> IoErrors.describe(u.getCause());
      case IOException io -> IoErrors.describe(io);
      default -> "internal error: " + e + " (run with --stacktrace and report it)";
    };
    err.println("whittle: " + message);
    if (trace) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(e);
  }

  /** {@code --stacktrace} is inherited: it may follow any subcommand, not only {@code whittle}. */
  private static boolean stacktraceRequested(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--stacktrace")) {
        return true;
      }
    }
    return false;
  }

  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return e instanceof WhittleException || e instanceof IOException || e instanceof UncheckedIOException ? BAD_INPUT : INTERNAL;
  }
}
