package dev.whittle.pruning;

import dev.whittle.ir.Model;
import dev.whittle.ir.WhittleException;
import dev.whittle.passes.Pass;
import dev.whittle.passes.PassContext;
import dev.whittle.passes.PassInfo;
import dev.whittle.passes.PassOption;
import java.util.List;
import java.util.Locale;

/**
 * Channel pruning as a pass ({@link ChannelPruner}; no retraining: a pass has no calibration data, use
 * {@code whittle prune --pattern channels --retrain least-squares} for that). The channels are
 * physically removed, so pruning again would remove more: the pass records what it did in the
 * model's metadata ({@value #MARK}) and leaves a model carrying that mark alone, which makes it
 * reach the optimizer's fixed point. Layers it leaves alone are explained (why, per node).
 */
@PassInfo(id = "prune-channels", summary = "Remove the lowest-norm output channels of Conv/Gemm/MatMul layers and shrink the layers reading them")
public final class PruneChannels implements Pass {
  /** Metadata key marking a model this pass pruned. */
  public static final String MARK = "whittle.prune-channels";

  @Override
  public List<PassOption> options() {
    return List.of(PassOption.ofLong("per-mille", 250, "fraction of channels removed, in thousandths (250 = 25%)"),
        new PassOption("norm", PassOption.Kind.STRING, "l1", "rank channels by the l1 or l2 norm of their weights"),
        new PassOption("scope", PassOption.Kind.STRING, "layer", "layer (each layer loses the fraction) or global"),
        PassOption.ofBoolean("skip-first-last", true, "leave the first and last prunable layers alone"));
  }

  @Override
  public void run(Model model, PassContext ctx) {
    if (model.metadataProps().containsKey(MARK)) {
      return;
    }
    long perMille = ctx.longOption("per-mille", 250);
    PruningOptions o = PruningOptions.of(perMille / 1000.0).withPattern(PruningOptions.Pattern.CHANNELS)
        .withScope(PruningOptions.parseScope(ctx.option("scope", "layer")))
        .withSkipFirstAndLast(ctx.booleanOption("skip-first-last", true));
    ChannelPruner.Norm norm = parseNorm(ctx.option("norm", "l1"));
    ChannelPruner.Result r = ChannelPruner.pruneInPlace(model, o, norm, ctx::allowRewrite);
    for (ChannelPruner.Skipped s : r.skipped()) {
      model.graph().nodes().stream().filter(n -> n.name().equals(s.node()) || n.output(0).name().equals(s.node())).findFirst()
          .ifPresent(n -> ctx.explain(n, s.reason()));
    }
    int removed = r.channelsBefore() - r.channelsAfter();
    if (removed > 0) {
      model.metadataProps().put(MARK, String.format(Locale.ROOT, "per-mille=%d norm=%s scope=%s", perMille, norm.name().toLowerCase(Locale.ROOT),
          o.scope().name().toLowerCase(Locale.ROOT)));
      ctx.count("channels-removed", removed);
      ctx.count("layers", r.layers().stream().filter(l -> l.after() < l.before()).count());
      ctx.count("parameters-removed", r.parametersBefore() - r.parametersAfter());
    }
  }

  /** l1 or l2. */
  public static ChannelPruner.Norm parseNorm(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "l1" -> ChannelPruner.Norm.L1;
      case "l2" -> ChannelPruner.Norm.L2;
      default -> throw WhittleException.builder("unknown channel norm '" + s + "'").expected("l1 or l2").build();
    };
  }
}
