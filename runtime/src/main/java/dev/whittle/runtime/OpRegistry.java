package dev.whittle.runtime;

import dev.whittle.runtime.ops.StandardOps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which op implementations exist, by domain, op type and the opset version they apply from. Filled
 * from an explicit registration list ({@link StandardOps}), never by classpath scanning.
 */
public final class OpRegistry {
  /** The standard domain's two spellings are treated alike. */
  public static final String ONNX_DOMAIN = "";

  /**
   * One implementation: valid for opset versions from {@code sinceVersion} until the next
   * registration of the same op.
   */
  public record OpDef(String domain, String opType, int sinceVersion, OpFactory factory, TypeInferrer inferrer) {}

  private final Map<String, List<OpDef>> defs = new HashMap<>();

  private static String key(String domain, String opType) {
    String d = domain == null || domain.equals("ai.onnx") ? ONNX_DOMAIN : domain;
    return d + "::" + opType;
  }

  public OpRegistry register(OpDef def) {
    List<OpDef> list = defs.computeIfAbsent(key(def.domain(), def.opType()), k -> new ArrayList<>());
    list.removeIf(d -> d.sinceVersion() == def.sinceVersion());
    list.add(def);
    list.sort(Comparator.comparingInt(OpDef::sinceVersion));
    return this;
  }

  /** Registers a standard-domain op valid from opset 1 (semantics by version are handled inside). */
  public OpRegistry register(String opType, OpFactory factory, TypeInferrer inferrer) {
    return register(new OpDef(ONNX_DOMAIN, opType, 1, factory, inferrer));
  }

  /** The implementation for {@code opset}, or null when there is none. */
  public OpDef find(String domain, String opType, long opset) {
    List<OpDef> list = defs.get(key(domain, opType));
    if (list == null) {
      return null;
    }
    OpDef best = null;
    for (OpDef d : list) {
      if (d.sinceVersion() <= opset) {
        best = d;
      }
    }
    return best;
  }

  /** Op types with at least one implementation, as {@code domain::Op} sorted. */
  public Set<String> supported() {
    return new TreeSet<>(defs.keySet());
  }

  /** The registry with every op Whittle implements. */
  public static OpRegistry standard() {
    return Holder.STANDARD;
  }

  private static final class Holder {
    static final OpRegistry STANDARD = StandardOps.registerAll(new OpRegistry());
  }
}
