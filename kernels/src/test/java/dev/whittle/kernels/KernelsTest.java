package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelsTest {
  private static String probe(String... jvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of(jvmArgs));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelProbe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void vectorKernelsAreChosenWhenTheModuleIsPresent() throws Exception {
    assertTrue(probe("--add-modules", "jdk.incubator.vector").contains("simd=true"));
  }

  @Test
  void withoutTheModuleTheScalarTwinsRunAndOneLineSaysHowToGetSimd() throws Exception {
    String out = probe();
    assertTrue(out.contains("simd=false"), out);
    assertEquals(1, out.lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).count(), out);
  }

  @Test
  void systemPropertyForcesScalar() throws Exception {
    assertTrue(probe("--add-modules", "jdk.incubator.vector", "-Dwhittle.kernels=scalar").contains("simd=false"));
  }
}
