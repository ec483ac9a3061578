package dev.whittle.runtime.ops.ml;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Tensor;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Casts;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.tensor.GatherOps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Ops of the ai.onnx.ml domain: Binarizer, ArrayFeatureExtractor, LabelEncoder. */
public final class ClassicMlOps {
  public static final String DOMAIN = "ai.onnx.ml";

  private ClassicMlOps() {}

  public static void register(OpRegistry r) {
    r.register(new OpRegistry.OpDef(DOMAIN, "Binarizer", 1, ctx -> {
      double threshold = ctx.attrFloat("threshold", 0f);
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        double[] v = Casts.toDoubles(x);
        double[] y = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          y[i] = v[i] > threshold ? 1 : 0;
        }
        return new Object[] {Casts.fromDoubles(x.dtype(), x.dims(), y)};
      };
    }, Inference::sameAsInput0));
    r.register(new OpRegistry.OpDef(DOMAIN, "ArrayFeatureExtractor", 1, ctx -> (in, rc) -> {
      Tensor x = (Tensor) in[0];
      Tensor indices = (Tensor) in[1];
      return new Object[] {GatherOps.gather(x, indices.reshaped(new long[] {indices.elementCount()}), x.rank() - 1)};
    }, ctx -> java.util.Collections.singletonList(null)));
    r.register(new OpRegistry.OpDef(DOMAIN, "LabelEncoder", 1, ClassicMlOps::labelEncoder,
        ctx -> java.util.Collections.singletonList(null)));
  }

  /** Keys and values as Java objects (String, Long or Double) from the attribute forms of LabelEncoder. */
  private static List<Object> column(NodeContext ctx, String prefix) {
    for (String suffix : List.of("_strings", "_int64s", "_floats")) {
      Attribute a = ctx.attr(prefix + suffix);
      if (a == null) {
        continue;
      }
      List<Object> out = new ArrayList<>();
      switch (suffix) {
        case "_strings" -> out.addAll(a.strings());
        case "_int64s" -> {
          for (long l : a.ints()) {
            out.add(l);
          }
        }
        default -> {
          for (float f : a.floats()) {
            out.add((double) f);
          }
        }
      }
      return out;
    }
    Attribute t = ctx.attr(prefix + "_tensor");
    if (t != null) {
      return values(t.t());
    }
    throw ctx.error("LabelEncoder has no " + prefix + "_* attribute").build();
  }

  private static List<Object> values(Tensor t) {
    List<Object> out = new ArrayList<>();
    if (t.dtype() == DType.STRING) {
      for (byte[] b : t.strings()) {
        out.add(new String(b, StandardCharsets.UTF_8));
      }
    } else if (Casts.isIntegerOrBool(t.dtype())) {
      for (long l : Casts.toLongs(t)) {
        out.add(l);
      }
    } else {
      for (double d : Casts.toDoubles(t)) {
        out.add(d);
      }
    }
    return out;
  }

  private static Kernel labelEncoder(NodeContext ctx) {
    List<Object> keys = column(ctx, "keys");
    List<Object> vals = column(ctx, "values");
    Map<Object, Object> map = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      map.put(keys.get(i), vals.get(i));
    }
    Object sample = vals.isEmpty() ? "" : vals.get(0);
    Object fallback;
    DType outType;
    Attribute defaultTensor = ctx.attr("default_tensor");
    if (defaultTensor != null) {
      fallback = values(defaultTensor.t()).get(0);
      outType = defaultTensor.t().dtype();
    } else if (sample instanceof String) {
      fallback = ctx.attrString("default_string", "_Unused");
      outType = DType.STRING;
    } else if (sample instanceof Long) {
      fallback = ctx.attrInt("default_int64", -1);
      outType = DType.INT64;
    } else {
      fallback = (double) ctx.attrFloat("default_float", -0f);
      outType = DType.FLOAT;
    }
    Attribute valuesTensor = ctx.attr("values_tensor");
    DType resultType = valuesTensor != null ? valuesTensor.t().dtype() : outType;
    return (in, rc) -> {
      Tensor x = (Tensor) in[0];
      List<Object> in0 = values(x);
      List<Object> out = new ArrayList<>(in0.size());
      for (Object k : in0) {
        out.add(map.getOrDefault(k, fallback));
      }
      if (resultType == DType.STRING) {
        List<byte[]> s = new ArrayList<>();
        out.forEach(o -> s.add(((String) o).getBytes(StandardCharsets.UTF_8)));
        return new Object[] {Tensor.ofStrings(x.dims(), s)};
      }
      double[] d = new double[out.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = ((Number) out.get(i)).doubleValue();
      }
      return new Object[] {Casts.fromDoubles(resultType, x.dims(), d)};
    };
  }
}
