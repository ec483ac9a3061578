package dev.whittle.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time spent per op type over one or more runs (main graph steps; a control-flow op's time includes
 * its subgraphs). Pass one to {@link RunOptions#profiled} and read it after the runs.
 */
public final class Profile {
  /** Accumulated time and count of one op type. */
  public record Entry(String opType, long nanos, long calls) {}

  private final Map<String, long[]> byOp = new LinkedHashMap<>();

  synchronized void add(String opType, long nanos) {
    long[] acc = byOp.computeIfAbsent(opType, k -> new long[2]);
    acc[0] += nanos;
    acc[1]++;
  }

  /** Entries, most time first. */
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    byOp.forEach((op, acc) -> out.add(new Entry(op, acc[0], acc[1])));
    out.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
    return out;
  }
}
