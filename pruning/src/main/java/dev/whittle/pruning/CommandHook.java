package dev.whittle.pruning;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Hands the masks and weights to an external trainer: at every pruning step it writes them to a
 * fresh temporary folder, runs the user's command, reads the updated weights back and checks them.
 *
 * <p>The folder (its path is in the environment variable {@value #DIR_VARIABLE}, the step in
 * {@value #STEP_VARIABLE}, and {@code {dir}} in the command is replaced by it) holds:
 * <pre>
 * manifest.json                  what follows, as JSON (format "whittle-retrain-1")
 * model.onnx                     the model as pruned so far (masks applied)
 * weights/N.pb                   TensorProto of the N-th pruned weight; its name is the weight's name
 * masks/N.pb                     TensorProto bool of the same dims: true where the weight is kept
 * calibration/test_data_set_S/input_K.pb
 *                                calibration sample S, K-th graph input that is not an initializer
 *                                (the ONNX test-data layout; each TensorProto named after its input)
 * out/                           empty: the command writes its results here
 * </pre>
 * {@code manifest.json} has {@code step}, {@code model}, {@code inputs} (graph input names),
 * {@code calibration} (the sample folders), {@code out}, and {@code weights}: per pruned weight its
 * {@code name}, {@code dtype}, {@code dims}, {@code kept} count and the paths {@code weight},
 * {@code mask} and {@code output} ({@code out/N.pb}), all relative to the folder.
 *
 * <p>The command runs with {@code sh -c} ({@code cmd /c} on Windows) in the current directory, its
 * standard input closed; its output and error lines go to the output consumer (standard error by
 * default). It must exit 0 and leave one TensorProto per pruned weight in {@code out/}: a file
 * whose TensorProto name is the weight's name, or an unnamed TensorProto in {@code out/N.pb} (the
 * name of the weight's input file). Copying {@code weights/*.pb} to {@code out/} unchanged is a
 * valid (do-nothing) trainer. Other initializers of the model (biases, say) may be returned too.
 *
 * <p>Every returned tensor must name a weight of the model and have its element type and dims,
 * and pruned positions (mask false) must hold exactly zero: a trainer that moved them trained a
 * different model from the one that will be written, so the values are refused rather than
 * silently zeroed again (keep them at zero by multiplying the weights, or their gradients, by the
 * mask after each update). A failing command (non-zero exit, with the last lines of its error
 * output), a timeout, a missing or unreadable result, or a bad tensor stops pruning with a
 * {@link WhittleException}. The folder is deleted afterwards in every case.
 */
public final class CommandHook implements RetrainHook {
  /** Environment variable holding the exchange folder. */
  public static final String DIR_VARIABLE = "WHITTLE_RETRAIN_DIR";
  /** Environment variable holding the step (1-based). */
  public static final String STEP_VARIABLE = "WHITTLE_RETRAIN_STEP";
  /** Format tag written to the manifest. */
  public static final String FORMAT = "whittle-retrain-1";

  private static final int ERROR_LINES = 20;

  private final String command;
  private final Duration timeout;
  private final Consumer<String> output;

  /** Runs {@code command} at every step, without a time limit, its output going to standard error. */
  public CommandHook(String command) {
    this(command, null, System.err::println);
  }

  private CommandHook(String command, Duration timeout, Consumer<String> output) {
    if (command == null || command.isBlank()) {
      throw WhittleException.builder("the retrain command is empty").expected("a command to run").build();
    }
    this.command = command;
    this.timeout = timeout;
    this.output = Objects.requireNonNull(output);
  }

  /** Stops the command (and what it started) when a step takes longer than {@code limit}; null for no limit. */
  public CommandHook withTimeout(Duration limit) {
    if (limit != null && (limit.isNegative() || limit.isZero())) {
      throw WhittleException.builder("the retrain timeout must be positive").found(limit.toString()).build();
    }
    return new CommandHook(command, limit, output);
  }

  /** Where the command's output and error lines go. */
  public CommandHook withOutput(Consumer<String> lines) {
    return new CommandHook(command, timeout, lines);
  }

  @Override
  public Map<String, Tensor> retrain(Model pruned, Map<String, boolean[]> masks, int step, List<Map<String, Tensor>> calibration) {
    Path dir;
    try {
      dir = Files.createTempDirectory("whittle-retrain-");
    } catch (IOException e) {
      throw WhittleException.builder("cannot create the retrain folder: " + e.getMessage()).build(e);
    }
    try {
      List<String> names = new ArrayList<>(masks.keySet());
      writeExchange(dir, pruned, masks, names, step, calibration);
      run(dir, step);
      return readResults(dir, pruned, masks, names, step);
    } catch (IOException e) {
      throw WhittleException.builder("retrain step " + step + ": " + e.getMessage()).file(dir).build(e);
    } finally {
      deleteTree(dir);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the exchange folder

  private static void writeExchange(Path dir, Model pruned, Map<String, boolean[]> masks, List<String> names, int step,
      List<Map<String, Tensor>> calibration) throws IOException {
    Files.createDirectories(dir.resolve("weights"));
    Files.createDirectories(dir.resolve("masks"));
    Files.createDirectories(dir.resolve("out"));
    OnnxWriter.write(pruned, dir.resolve("model.onnx"));
    List<Object> weights = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Tensor w = pruned.graph().value(name).initializer();
      boolean[] keep = masks.get(name);
      byte[] bits = new byte[keep.length];
      long kept = 0;
      for (int j = 0; j < keep.length; j++) {
        bits[j] = (byte) (keep[j] ? 1 : 0);
        kept += keep[j] ? 1 : 0;
      }
      OnnxWriter.writeTensor(w.withName(name), dir.resolve("weights/" + i + ".pb"));
      OnnxWriter.writeTensor(Tensor.builder(DType.BOOL, w.dims()).data(MemorySegment.ofArray(bits)).name(name).build(),
          dir.resolve("masks/" + i + ".pb"));
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", name);
      e.put("dtype", w.dtype().displayName());
      e.put("dims", Arrays.stream(w.dims()).boxed().toList());
      e.put("kept", kept);
      e.put("weight", "weights/" + i + ".pb");
      e.put("mask", "masks/" + i + ".pb");
      e.put("output", "out/" + i + ".pb");
      weights.add(e);
    }
    List<String> fed = pruned.graph().inputs().stream().filter(v -> !v.isInitializer()).map(Value::name).toList();
    List<Object> samples = new ArrayList<>();
    for (int s = 0; s < calibration.size(); s++) {
      String set = "calibration/test_data_set_" + s;
      Files.createDirectories(dir.resolve(set));
      for (Map.Entry<String, Tensor> in : calibration.get(s).entrySet()) {
        int k = fed.indexOf(in.getKey());
        if (k < 0) {
          throw WhittleException.builder("calibration input '" + in.getKey() + "' is not an input of the model")
              .expected("one of " + fed).build();
        }
        OnnxWriter.writeTensor(in.getValue().withName(in.getKey()), dir.resolve(set + "/input_" + k + ".pb"));
      }
      samples.add(set);
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", FORMAT);
    manifest.put("step", step);
    manifest.put("model", "model.onnx");
    manifest.put("inputs", fed);
    manifest.put("calibration", samples);
    manifest.put("out", "out");
    manifest.put("weights", weights);
    Files.writeString(dir.resolve("manifest.json"), Json.write(manifest), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // running the command

  private void run(Path dir, int step) throws IOException {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    String line = command.replace("{dir}", windows ? "\"" + dir + "\"" : shellQuoted(dir.toString()));
    ProcessBuilder pb = windows ? new ProcessBuilder("cmd.exe", "/c", line) : new ProcessBuilder("sh", "-c", line);
    pb.environment().put(DIR_VARIABLE, dir.toString());
    pb.environment().put(STEP_VARIABLE, Integer.toString(step));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw WhittleException.builder("cannot start the retrain command: " + e.getMessage()).found(command).build(e);
    }
    p.getOutputStream().close();
    Deque<String> lastErrors = new ArrayDeque<>();
    Thread out = pump(p.getInputStream(), null);
    Thread err = pump(p.getErrorStream(), lastErrors);
    int exit;
    try {
      if (timeout == null) {
        exit = p.waitFor();
      } else if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = p.exitValue();
      } else {
        kill(p);
        throw WhittleException.builder("retrain command timed out at step " + step + " and was stopped")
            .expected(String.format(Locale.ROOT, "an exit within %.3f s", timeout.toMillis() / 1000.0)).found(command).build();
      }
      // a background child may keep the pipes open after the command itself exited: do not wait for it forever
      out.join(Duration.ofSeconds(5));
      err.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      throw WhittleException.builder("interrupted while the retrain command ran").build(e);
    }
    if (exit != 0) {
      String tail;
      synchronized (lastErrors) {
        tail = lastErrors.isEmpty() ? "no error output" : "last error output:\n  " + String.join("\n  ", lastErrors);
      }
      throw WhittleException.builder("retrain command failed at step " + step + " with exit code " + exit + " (" + command + "); "
          + tail).build();
    }
  }

  /** A daemon thread copying a stream's lines to the output consumer, keeping the last ones in {@code keep} if given. */
  private Thread pump(InputStream in, Deque<String> keep) {
    return Thread.ofPlatform().daemon().name("whittle-retrain-output").start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String s = r.readLine(); s != null; s = r.readLine()) {
          output.accept(s);
          if (keep != null) {
            synchronized (keep) {
              keep.addLast(s);
              if (keep.size() > ERROR_LINES) {
                keep.removeFirst();
              }
            }
          }
        }
      } catch (IOException e) {
        // the process was killed: its pipes closed under the reader
      }
    });
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** The path as one POSIX shell word (quoted only when it holds characters the shell would interpret). */
  private static String shellQuoted(String s) {
    return s.matches("[A-Za-z0-9_./+:@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  // ---------------------------------------------------------------------------------------------
  // reading the results back

  private static Map<String, Tensor> readResults(Path dir, Model pruned, Map<String, boolean[]> masks, List<String> names, int step)
      throws IOException {
    Path outDir = dir.resolve("out");
    List<Path> files;
    try (Stream<Path> s = Files.isDirectory(outDir) ? Files.list(outDir) : Stream.empty()) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".pb") && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    Map<String, Tensor> updated = new LinkedHashMap<>();
    for (Path f : files) {
      String file = "out/" + f.getFileName();
      Tensor t = OnnxReader.readTensor(f);
      String name = t.name() != null && !t.name().isEmpty() ? t.name() : weightOfFile(f, names, file);
      if (updated.containsKey(name)) {
        throw WhittleException.builder("retrain command returned weight '" + name + "' twice (again in " + file + ")")
            .expected("one file per weight").build();
      }
      Pruner.checkReturned(pruned, name, t, "retrain command (" + file + ")");
      boolean[] keep = masks.get(name);
      if (keep != null) {
        checkPrunedZero(name, t, keep, file, names.indexOf(name));
      }
      // a heap copy: the file is mapped and its folder is deleted next
      updated.put(name, Tensor.of(t.dtype(), t.dims(), MemorySegment.ofArray(t.toByteArray())));
    }
    List<String> missing = names.stream().filter(n -> !updated.containsKey(n)).toList();
    if (!missing.isEmpty()) {
      String n = missing.getFirst();
      throw WhittleException.builder("retrain command wrote no updated weight for " + missing.size() + " of " + names.size()
          + " pruned weight(s) at step " + step + ", e.g. '" + n + "'")
          .expected("out/" + names.indexOf(n) + ".pb, or any out/*.pb TensorProto named '" + n + "'")
          .found(files.isEmpty() ? "nothing in out/" : files.size() + " file(s) in out/").build();
    }
    return updated;
  }

  /** The weight an unnamed TensorProto replaces: {@code out/N.pb} is the N-th weight. */
  private static String weightOfFile(Path f, List<String> names, String file) {
    String stem = f.getFileName().toString();
    stem = stem.substring(0, stem.length() - ".pb".length());
    if (stem.matches("\\d{1,9}") && Integer.parseInt(stem) < names.size()) {
      return names.get(Integer.parseInt(stem));
    }
    throw WhittleException.builder("retrain command wrote " + file + ", an unnamed TensorProto not named after a weight file")
        .expected("a TensorProto named after its weight, or out/N.pb for weights/N.pb").build();
  }

  private static void checkPrunedZero(String name, Tensor t, boolean[] keep, String file, int index) {
    float[] w = t.toFloatArray();
    int count = 0;
    int first = -1;
    for (int i = 0; i < w.length; i++) {
      if (!keep[i] && w[i] != 0f) {
        count++;
        first = first < 0 ? i : first;
      }
    }
    if (count > 0) {
      throw WhittleException.builder("retrain command (" + file + ") returned weight '" + name + "' with " + count
          + " non-zero value(s) at pruned positions (first at flat index " + first + ": " + w[first] + ")")
          .expected("0 wherever masks/" + index + ".pb is false (multiply the weights or their gradients by the mask)")
          .found(count + " of " + (keep.length - trueCount(keep)) + " pruned positions non-zero").build();
    }
  }

  private static int trueCount(boolean[] b) {
    int n = 0;
    for (boolean x : b) {
      n += x ? 1 : 0;
    }
    return n;
  }

  private void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      output.accept("whittle: could not delete the retrain folder " + dir + ": " + e.getMessage());
    }
  }
}
