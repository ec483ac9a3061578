package dev.whittle.cli;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.report.Json;
import dev.whittle.pruning.ChannelLeastSquaresHook;
import dev.whittle.pruning.ChannelPruner;
import dev.whittle.pruning.PruneChannels;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.pruning.RetrainHook;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ParameterException;

/**
 * {@code whittle prune --pattern channels}: removes whole output channels ({@link ChannelPruner}),
 * optionally refits the layers that lost input channels ({@link ChannelLeastSquaresHook}) or hands the
 * narrowed model to an external trainer ({@code --retrain command}), writes the
 * smaller model and prints, per layer, the channels kept, and for each layer left alone, why.
 */
final class ChannelPruneRun {
  private ChannelPruneRun() {}

  static int run(PruneCommand c, Model model, PruningOptions o) throws IOException {
    if (!"oneshot".equals(c.schedule)) {
      throw new ParameterException(c.spec.commandLine(), "--pattern channels removes channels in one shot: --schedule oneshot");
    }
    // checks the retrain options (the least-squares hook for channels is the consumer refit below)
    RetrainHook hook = c.hook(model);
    ChannelPruner.Norm norm = PruneChannels.parseNorm(c.norm);
    ChannelPruner.Result r = ChannelPruner.prune(model, o, norm);
    if (!"none".equals(c.retrain)) {
      List<Map<String, Tensor>> calib = new ArrayList<>();
      if (c.calibration != null) {
        CommandFiles.calibration(c.calibration, c.tokenizer, model, 42, c.samples).forEach(calib::add);
      }
      // an external trainer sees the narrowed model, with masks keeping every remaining weight
      r = ChannelPruner.retrain(r, "least-squares".equals(c.retrain) ? new ChannelLeastSquaresHook(model, r) : hook, calib);
    }
    r.model().metadataProps().put("whittle.version", WhittleVersion.version());
    r.model().metadataProps().put("whittle.pruning", String.format(Locale.ROOT, "pattern=channels sparsity=%s norm=%s scope=%s retrain=%s",
        c.sparsity, norm.name().toLowerCase(Locale.ROOT), c.scope, c.retrain));
    OnnxWriter.write(r.model(), c.out);
    long before = Files.size(c.in);
    long after = Files.size(c.out);
    PrintWriter w = c.spec.commandLine().getOut();
    for (ChannelPruner.LayerChannels l : r.layers()) {
      w.printf(Locale.ROOT, "  %-40s %-6s %5d -> %5d channels%n", l.node(), l.op(), l.before(), l.after());
    }
    for (ChannelPruner.Skipped s : r.skipped()) {
      w.printf(Locale.ROOT, "  %-40s %-6s left alone: %s%n", s.node(), s.op(), s.reason());
    }
    w.printf(Locale.ROOT, "%s -> %s: %,d -> %,d bytes, parameters %,d -> %,d, channels %,d -> %,d%n", c.in, c.out, before, after,
        r.parametersBefore(), r.parametersAfter(), r.channelsBefore(), r.channelsAfter());
    if (c.report != null) {
      CommandFiles.writeText(c.report, Json.write(report(c, r, before, after)));
      w.println("Report: " + c.report);
    }
    w.flush();
    return 0;
  }

  private static Map<String, Object> report(PruneCommand c, ChannelPruner.Result r, long before, long after) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("input", c.in.toString());
    j.put("output", c.out.toString());
    j.put("pattern", "channels");
    j.put("bytesBefore", before);
    j.put("bytesAfter", after);
    j.put("parametersBefore", r.parametersBefore());
    j.put("parametersAfter", r.parametersAfter());
    List<Object> layers = new ArrayList<>();
    for (ChannelPruner.LayerChannels l : r.layers()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node", l.node());
      e.put("op", l.op());
      e.put("weight", l.weight());
      e.put("channelsBefore", l.before());
      e.put("channelsAfter", l.after());
      e.put("kept", Arrays.stream(l.kept()).boxed().toList());
      layers.add(e);
    }
    j.put("layers", layers);
    List<Object> skipped = new ArrayList<>();
    for (ChannelPruner.Skipped s : r.skipped()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node", s.node());
      e.put("op", s.op());
      e.put("reason", s.reason());
      skipped.add(e);
    }
    j.put("skipped", skipped);
    return j;
  }
}
