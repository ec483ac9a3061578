package dev.whittle.runtime.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.runtime.SessionOptions;
import dev.whittle.ir.testing.TestAssets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the ONNX backend test suites through Whittle's runtime against checked-in lists of cases
 * that must pass ({@code conformance/<suite>.expected-pass.txt}): a listed case that fails is a
 * regression and fails the build. Cases that newly pass are printed so the list can grow.
 */
class BackendSuiteTest {
  private static final long CASE_TIMEOUT_SECONDS = 60;

  @ParameterizedTest
  @ValueSource(strings = {"node", "simple", "pytorch-converted", "pytorch-operator"})
  void suitePassesAtLeastTheExpectedCases(String suite) throws Exception {
    Path dir = TestAssets.shared().resolve("onnx-node-tests").resolve(suite);
    Set<String> expected = expectedPasses(suite);
    ConformanceRunner runner = new ConformanceRunner(SessionOptions.defaults());
    Map<ConformanceRunner.Status, Integer> counts = new EnumMap<>(ConformanceRunner.Status.class);
    List<String> regressions = new ArrayList<>();
    Set<String> newlyPassing = new TreeSet<>();
    StringBuilder report = new StringBuilder();
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(null, r, "conformance", 64L << 20);
      t.setDaemon(true);
      return t;
    });
    try {
      for (Path c : ConformanceRunner.cases(dir)) {
        ConformanceRunner.CaseResult res = runWithTimeout(pool, runner, c);
        if (res.status() == ConformanceRunner.Status.FAIL && res.detail().startsWith("timed out")) {
          pool.shutdownNow();
          pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "conformance", 64L << 20);
            t.setDaemon(true);
            return t;
          });
        }
        counts.merge(res.status(), 1, Integer::sum);
        report.append(res.status()).append(' ').append(res.name()).append("  ").append(res.detail()).append('\n');
        boolean passed = res.status() == ConformanceRunner.Status.PASS;
        if (expected.contains(res.name()) && !passed) {
          regressions.add(res.name() + ": " + res.detail());
        } else if (passed && !expected.contains(res.name())) {
          newlyPassing.add(res.name());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Path out = Path.of("target", "conformance");
    Files.createDirectories(out);
    Files.writeString(out.resolve(suite + ".txt"), report);
    Files.write(out.resolve(suite + ".passing.txt"), report.toString().lines()
        .filter(l -> l.startsWith("PASS ")).map(l -> l.split(" ")[1]).toList());
    System.out.printf("%s: %d passed, %d failed, %d skipped (expected at least %d; %d newly passing)%n", suite,
        counts.getOrDefault(ConformanceRunner.Status.PASS, 0), counts.getOrDefault(ConformanceRunner.Status.FAIL, 0),
        counts.getOrDefault(ConformanceRunner.Status.SKIP, 0), expected.size(), newlyPassing.size());
    if (!newlyPassing.isEmpty()) {
      System.out.println("Newly passing in " + suite + " (add to " + suite + ".expected-pass.txt): " + newlyPassing);
    }
    assertTrue(regressions.isEmpty(), regressions.size() + " expected case(s) of " + suite + " no longer pass:\n  "
        + String.join("\n  ", regressions));
  }

  private static ConformanceRunner.CaseResult runWithTimeout(ExecutorService pool, ConformanceRunner runner, Path c) throws Exception {
    Future<ConformanceRunner.CaseResult> f = pool.submit(() -> runner.run(c));
    try {
      return f.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new ConformanceRunner.CaseResult(c.getFileName().toString(), ConformanceRunner.Status.FAIL,
          "timed out after " + CASE_TIMEOUT_SECONDS + " s");
    }
  }

  private static Set<String> expectedPasses(String suite) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    try (InputStream in = BackendSuiteTest.class.getResourceAsStream("/conformance/" + suite + ".expected-pass.txt")) {
      if (in == null) {
        return names;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("#")) {
          names.add(s);
        }
      }
    }
    return names;
  }
}
