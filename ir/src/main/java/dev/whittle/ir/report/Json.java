package dev.whittle.ir.report;

import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for reports (maps, lists, strings, numbers, booleans, null). Maps keep their
 * iteration order, so a LinkedHashMap or TreeMap gives deterministic output.
 */
public final class Json {
  private Json() {}

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, "");
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, String indent) {
    switch (v) {
      case null -> sb.append("null");
      case String s -> string(sb, s);
      case Boolean b -> sb.append(b);
      case Double d when d.isNaN() || d.isInfinite() -> sb.append("null");
      case Float f when f.isNaN() || f.isInfinite() -> sb.append("null");
      case Number n -> sb.append(n);
      case Map<?, ?> m -> {
        if (m.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append("{\n");
        String inner = indent + "  ";
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sb.append(inner);
          string(sb, String.valueOf(e.getKey()));
          sb.append(": ");
          write(sb, e.getValue(), inner);
          sb.append(++i < m.size() ? ",\n" : "\n");
        }
        sb.append(indent).append('}');
      }
      case Collection<?> c -> {
        if (c.isEmpty()) {
          sb.append("[]");
          return;
        }
        sb.append("[\n");
        String inner = indent + "  ";
        int i = 0;
        for (Object o : c) {
          sb.append(inner);
          write(sb, o, inner);
          sb.append(++i < c.size() ? ",\n" : "\n");
        }
        sb.append(indent).append(']');
      }
      default -> string(sb, v.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
