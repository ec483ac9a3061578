package dev.whittle.passes;

import dev.whittle.ir.WhittleException;
import dev.whittle.passes.cleanup.ConstantsToInitializers;
import dev.whittle.passes.cleanup.DeduplicateInitializers;
import dev.whittle.passes.cleanup.EliminateCommonSubexpressions;
import dev.whittle.passes.cleanup.EliminateDeadCode;
import dev.whittle.passes.cleanup.EliminateDropout;
import dev.whittle.passes.cleanup.EliminateIdentity;
import dev.whittle.passes.cleanup.EliminateNop;
import dev.whittle.passes.cleanup.RemoveInitializerInputs;
import dev.whittle.passes.fold.FoldConstants;
import dev.whittle.passes.fold.SimplifyShapeOps;
import dev.whittle.passes.fuse.FoldScaleIntoWeights;
import dev.whittle.passes.opset.ConvertOpset;
import dev.whittle.passes.fuse.FuseAddIntoConv;
import dev.whittle.passes.fuse.FuseMulIntoConv;
import dev.whittle.passes.fuse.FusePadIntoConv;
import dev.whittle.passes.fuse.FusePadIntoPool;
import dev.whittle.passes.fuse.FuseConsecutiveTransposes;
import dev.whittle.passes.fuse.FuseConsecutiveReshapes;
import dev.whittle.passes.fuse.FuseConsecutiveSqueezes;
import dev.whittle.passes.fuse.FuseConsecutiveUnsqueezes;
import dev.whittle.passes.fuse.FuseMatMulAddIntoGemm;
import dev.whittle.passes.fuse.FuseTransposeIntoGemm;
import dev.whittle.passes.fuse.FuseBnIntoConv;
import dev.whittle.passes.fuse.FuseForWhittleRuntime;
import dev.whittle.passes.fuse.FuseAttention;
import dev.whittle.passes.fuse.FuseGelu;
import dev.whittle.passes.fuse.FuseLayerNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every pass, registered explicitly by id, and the named pipelines. */
public final class Passes {
  private static final Map<String, Pass> BY_ID = new LinkedHashMap<>();
  private static final Map<String, List<String>> PIPELINES = new LinkedHashMap<>();

  /** The pipeline {@code Optimizer.run(model)} and {@code whittle optimize} use when none is named. */
  public static final String DEFAULT_PIPELINE = "default";

  /** The pipeline for models meant for Whittle's runtime: the default one, then its own fused kernels. */
  public static final String WHITTLE_PIPELINE = "whittle";

  static {
    for (Pass p : List.<Pass>of(new RemoveInitializerInputs(), new ConstantsToInitializers(), new EliminateIdentity(),
        new EliminateDropout(), new ConvertOpset(),
        new EliminateNop(), new EliminateCommonSubexpressions(), new DeduplicateInitializers(),
        new SimplifyShapeOps(), new FoldConstants(), new FuseBnIntoConv(), new FuseAddIntoConv(), new FuseMulIntoConv(), new FusePadIntoConv(), new FusePadIntoPool(),
        new FuseConsecutiveTransposes(), new FuseConsecutiveReshapes(), new FuseConsecutiveSqueezes(), new FuseConsecutiveUnsqueezes(), new FuseMatMulAddIntoGemm(), new FuseTransposeIntoGemm(), new FoldScaleIntoWeights(),
        new FuseLayerNorm(), new FuseGelu(), new FuseAttention(), new FuseForWhittleRuntime(), new EliminateDeadCode())) {
      BY_ID.put(p.info().id(), p);
    }
    for (PassProvider provider : java.util.ServiceLoader.load(PassProvider.class)) {
      for (Pass p : provider.passes()) {
        if (BY_ID.putIfAbsent(p.info().id(), p) != null) {
          throw new IllegalStateException("two passes have the id '" + p.info().id() + "': " + BY_ID.get(p.info().id()).getClass()
              + " and " + p.getClass());
        }
      }
    }
    List<String> cleanup = List.of("constants-to-initializers", "eliminate-identity", "eliminate-dropout", "eliminate-nop",
        "eliminate-common-subexpressions", "deduplicate-initializers", "eliminate-dead-code");
    PIPELINES.put("cleanup", cleanup);
    PIPELINES.put(DEFAULT_PIPELINE, List.of("remove-initializer-inputs", "constants-to-initializers",
        "eliminate-identity", "eliminate-dropout", "eliminate-common-subexpressions", "simplify-shape-ops", "eliminate-nop",
        "fold-constants", "fuse-bn-into-conv", "fuse-add-into-conv", "fuse-mul-into-conv", "fuse-pad-into-conv",
        "fuse-pad-into-pool", "fuse-consecutive-transposes", "fuse-consecutive-reshapes", "fuse-consecutive-squeezes",
        "fuse-consecutive-unsqueezes", "fuse-matmul-add-into-gemm", "fuse-transpose-into-gemm", "fold-scale-into-weights", "fuse-layer-norm", "fuse-gelu",
        "fuse-attention", "deduplicate-initializers", "eliminate-dead-code"));
    List<String> whittle = new ArrayList<>(PIPELINES.get(DEFAULT_PIPELINE));
    whittle.add(whittle.size() - 1, "fuse-for-whittle-runtime");
    PIPELINES.put(WHITTLE_PIPELINE, List.copyOf(whittle));
  }

  private Passes() {}

  public static Map<String, Pass> all() {
    return Collections.unmodifiableMap(BY_ID);
  }

  public static Map<String, List<String>> pipelines() {
    return Collections.unmodifiableMap(PIPELINES);
  }

  /** The pass ids of a named pipeline. */
  public static List<String> pipeline(String name) {
    List<String> ids = PIPELINES.get(name);
    if (ids == null) {
      throw WhittleException.builder("unknown pipeline '" + name + "'").expected("one of " + PIPELINES.keySet()).build();
    }
    return ids;
  }

  public static List<Pass> byIds(List<String> ids) {
    List<Pass> out = new ArrayList<>();
    for (String id : ids) {
      Pass p = BY_ID.get(id);
      if (p == null) {
        throw WhittleException.builder("unknown pass '" + id + "'").expected("one of " + BY_ID.keySet()).build();
      }
      out.add(p);
    }
    return out;
  }
}
