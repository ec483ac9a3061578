package dev.whittle.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.passes.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mnist-8 with a quarter of its convolution channels physically removed (calibration: digits 0-499,
 * top-1 on 500-9,999). The first convolution is skipped by default; with it left alone, the second
 * alone would have to lose 6 of its 16 channels for 25% of all 24 (measured: top-1 0.9859 with the
 * refit). Including it (--include-edges) and taking 25% of each (8 → 6, 16 → 12) holds accuracy
 * better, so that is what this test does. The Gemm classifier, whose outputs are the graph output,
 * is left alone with that reason.
 */
class ChannelPruningMnistTest {
  @TempDir Path dir;

  @Test
  void aQuarterOfTheConvolutionChannelsGoAndTopOneHolds() throws IOException {
    MnistDigits digits = new MnistDigits();
    Model m = Optimizer.run(OnnxReader.read(digits.model)).model();
    int convChannels = 0;
    for (Node n : m.graph().nodes()) {
      convChannels += n.is("Conv") ? (int) n.input(1).initializer().dim(0) : 0;
    }
    assertEquals(24, convChannels);
    PruningOptions o = PruningOptions.of(0.25).withPattern(PruningOptions.Pattern.CHANNELS).withSkipFirstAndLast(false);
    ChannelPruner.Result plain = ChannelPruner.prune(m, o, ChannelPruner.Norm.L2);
    ChannelPruner.Result refit = ChannelPruner.retrain(plain, new ChannelLeastSquaresHook(m, plain), digits.calibration());

    int after = 0;
    for (Node n : refit.model().graph().nodes()) {
      after += n.is("Conv") ? (int) n.input(1).initializer().dim(0) : 0;
    }
    for (ChannelPruner.LayerChannels l : refit.layers()) {
      System.out.printf("  %-16s %-5s %2d -> %2d channels%n", l.node(), l.op(), l.before(), l.after());
    }
    refit.skipped().forEach(s -> System.out.printf("  %-16s %-5s left alone: %s%n", s.node(), s.op(), s.reason()));
    assertEquals(1, refit.skipped().size(), "the classifier");
    assertTrue(refit.skipped().getFirst().reason().contains("graph output"), refit.skipped().getFirst().reason());

    Path out = dir.resolve("mnist-channels.onnx");
    OnnxWriter.write(refit.model(), out);
    long before = Files.size(digits.model);
    long written = Files.size(out);
    double withoutRefit = digits.top1(plain.model());
    double withRefit = digits.top1(OnnxReader.read(out));
    System.out.printf("mnist-8 channels: conv channels %d -> %d (%.1f%% removed), parameters %,d -> %,d, file %,d -> %,d bytes;"
        + " top-1 on digits 500..9999: pruned %.4f, with least-squares refit %.4f (dense: 0.9934)%n", convChannels, after,
        100.0 * (convChannels - after) / convChannels, refit.parametersBefore(), refit.parametersAfter(), before, written,
        withoutRefit, withRefit);
    assertTrue(convChannels - after >= convChannels / 4, "at least 25% of the conv channels: " + after);
    assertTrue(written < before, written + " vs " + before);
    // measured 0.9880 (0.9636 without the refit; dense 0.9934)
    assertTrue(withRefit >= 0.985, "top-1 " + withRefit);
    assertTrue(withRefit > withoutRefit, withRefit + " vs " + withoutRefit);
  }
}
