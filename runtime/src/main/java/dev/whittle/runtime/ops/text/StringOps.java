package dev.whittle.runtime.ops.text;

import dev.whittle.ir.DType;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** String ops: StringConcat, StringSplit, RegexFullMatch, StringNormalizer. */
public final class StringOps {
  private StringOps() {}

  private static List<String> strings(Tensor t) {
    List<String> out = new ArrayList<>();
    for (byte[] b : t.strings()) {
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Tensor tensor(long[] dims, List<String> values) {
    List<byte[]> bytes = new ArrayList<>(values.size());
    for (String v : values) {
      bytes.add(v.getBytes(StandardCharsets.UTF_8));
    }
    return Tensor.ofStrings(dims, bytes);
  }

  public static void register(OpRegistry r) {
    r.register("StringConcat", ctx -> (in, rc) -> {
      Tensor a = (Tensor) in[0];
      Tensor b = (Tensor) in[1];
      long[] out = Shapes.broadcast(a.dims(), b.dims());
      int[] ia = Shapes.broadcastIndex(a.dims(), out);
      int[] ib = Shapes.broadcastIndex(b.dims(), out);
      List<String> x = strings(a);
      List<String> y = strings(b);
      List<String> res = new ArrayList<>();
      for (int i = 0; i < ia.length; i++) {
        res.add(x.get(ia[i]) + y.get(ib[i]));
      }
      return new Object[] {tensor(out, res)};
    }, Inference::broadcastBinary);
    r.register("RegexFullMatch", ctx -> {
      Pattern p = Pattern.compile(ctx.attrString("pattern", ""));
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        List<String> s = strings(x);
        byte[] out = new byte[s.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = (byte) (p.matcher(s.get(i)).matches() ? 1 : 0);
        }
        return new Object[] {Tensor.wrapBytes(DType.BOOL, x.dims(), out)};
      };
    }, ctx -> java.util.Collections.singletonList(ctx.inputType(0) instanceof Type.TensorType t ? new Type.TensorType(DType.BOOL, t.shape()) : null));
    r.register("StringSplit", ctx -> {
      String delimiter = ctx.attrString("delimiter", "");
      long maxSplit = ctx.attrInt("maxsplit", -1);
      return (in, rc) -> split((Tensor) in[0], delimiter, maxSplit);
    }, ctx -> List.of(new Type.TensorType(DType.STRING, Shape.unknownRank()), new Type.TensorType(DType.INT64, Shape.unknownRank())));
    r.register("StringNormalizer", ctx -> {
      String action = ctx.attrString("case_change_action", "NONE");
      boolean caseSensitive = ctx.attrInt("is_case_sensitive", 0) != 0;
      List<String> stop = ctx.attrStrings("stopwords", List.of());
      Locale locale = Locale.forLanguageTag(ctx.attrString("locale", "en-US").replace('_', '-'));
      return (in, rc) -> new Object[] {normalize((Tensor) in[0], action, caseSensitive, stop, locale)};
    }, ctx -> java.util.Collections.singletonList(new Type.TensorType(DType.STRING, Shape.unknownRank())));
  }

  /** Splits each string (on whitespace runs when no delimiter is given), padding rows with "". */
  private static Object[] split(Tensor x, String delimiter, long maxSplit) {
    List<String> s = strings(x);
    List<List<String>> parts = new ArrayList<>();
    int widest = 0;
    for (String v : s) {
      List<String> p = new ArrayList<>();
      if (delimiter.isEmpty()) {
        String rest = v.strip();
        long splits = 0;
        while (!rest.isEmpty()) {
          int ws = indexOfWhitespace(rest);
          if (ws < 0 || (maxSplit >= 0 && splits >= maxSplit)) {
            p.add(rest);
            break;
          }
          p.add(rest.substring(0, ws));
          rest = rest.substring(ws).stripLeading();
          splits++;
        }
      } else {
        int start = 0;
        long splits = 0;
        while (true) {
          int at = v.indexOf(delimiter, start);
          if (at < 0 || (maxSplit >= 0 && splits >= maxSplit)) {
            p.add(v.substring(start));
            break;
          }
          p.add(v.substring(start, at));
          start = at + delimiter.length();
          splits++;
        }
      }
      parts.add(p);
      widest = Math.max(widest, p.size());
    }
    long[] d = x.dims();
    long[] yd = java.util.Arrays.copyOf(d, d.length + 1);
    yd[d.length] = widest;
    List<String> y = new ArrayList<>();
    long[] counts = new long[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      List<String> p = parts.get(i);
      counts[i] = p.size();
      for (int j = 0; j < widest; j++) {
        y.add(j < p.size() ? p.get(j) : "");
      }
    }
    return new Object[] {tensor(yd, y), Tensor.wrapLongs(d, counts)};
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Drops stopwords, then changes case; an input left empty becomes a single empty string. */
  private static Tensor normalize(Tensor x, String action, boolean caseSensitive, List<String> stopwords, Locale locale) {
    Set<String> stop = new HashSet<>();
    for (String w : stopwords) {
      stop.add(caseSensitive ? w : w.toLowerCase(locale));
    }
    List<String> kept = new ArrayList<>();
    for (String v : strings(x)) {
      if (!stop.contains(caseSensitive ? v : v.toLowerCase(locale))) {
        kept.add(switch (action) {
          case "LOWER" -> v.toLowerCase(locale);
          case "UPPER" -> v.toUpperCase(locale);
          default -> v;
        });
      }
    }
    long[] d = x.dims();
    if (kept.isEmpty()) {
      kept.add("");
    }
    long[] out = d.length == 2 ? new long[] {1, kept.size()} : new long[] {kept.size()};
    return tensor(out, kept);
  }
}
