package dev.whittle.runtime;

import dev.whittle.ir.Value;
import java.util.IdentityHashMap;
import java.util.Map;

/** The values computed so far in one graph execution; subgraph frames see their parents' values. */
final class Frame {
  private final Frame parent;
  private final Map<Value, Object> values = new IdentityHashMap<>();

  Frame(Frame parent) {
    this.parent = parent;
  }

  Object get(Value v) {
    for (Frame f = this; f != null; f = f.parent) {
      Object o = f.values.get(v);
      if (o != null) {
        return o;
      }
    }
    return null;
  }

  void put(Value v, Object o) {
    values.put(v, o);
  }

  void remove(Value v) {
    values.remove(v);
  }
}
