package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code whittle convert}: reads a model into Whittle's IR and writes it back. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = {"Read a model into Whittle's IR and write it back.", "",
        "The output is deterministic and written atomically, never over the input. Large initializers",
        "can be moved into an external data file beside the output."})
final class ConvertCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IN", description = "The .onnx file to read.")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The .onnx file to write (must differ from IN).")
  Path out;

  @Option(names = "--external-data", description = "Store initializers of at least --threshold bytes in OUT.data beside OUT.")
  boolean externalData;

  @Option(names = "--threshold", paramLabel = "BYTES", defaultValue = "1024",
      description = "Minimum initializer size moved to external data (default: ${DEFAULT-VALUE}).")
  long threshold;

  @Option(names = "--data-file", paramLabel = "NAME",
      description = "Name of the external data file beside OUT (default: OUT's name + .data).")
  String dataFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!externalData && (dataFile != null || spec.commandLine().getParseResult().hasMatchedOption("--threshold"))) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threshold and --data-file need --external-data");
    }
    long t0 = System.nanoTime();
    Model m = OnnxReader.read(in);
    long t1 = System.nanoTime();
    OnnxWriter.Options options = new OnnxWriter.Options(externalData, threshold, dataFile);
    OnnxWriter.write(m, out, options);
    long t2 = System.nanoTime();
    PrintWriter w = spec.commandLine().getOut();
    w.printf("Read %s (%s) in %d ms%n", in, Sizes.human(Files.size(in)), (t1 - t0) / 1_000_000);
    w.printf("Wrote %s (%s) in %d ms%n", out, Sizes.human(Files.size(out)), (t2 - t1) / 1_000_000);
    Path data = out.toAbsolutePath().resolveSibling(dataFile != null ? dataFile : out.getFileName() + ".data");
    if (externalData && Files.exists(data)) {
      w.printf("  external data: %s (%s)%n", data.getFileName(), Sizes.human(Files.size(data)));
    }
    w.flush();
    return 0;
  }
}
