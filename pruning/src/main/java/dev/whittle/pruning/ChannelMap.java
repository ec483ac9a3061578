package dev.whittle.pruning;

import java.util.Arrays;

/**
 * Where a channel group's channels sit in one value: along {@code axis}, entry i of {@code map}
 * covers positions i·block … i·block + block − 1 and is the group's channel {@code map[i]}, or −1 for
 * a channel from elsewhere that always stays (the other inputs of a Concat). {@code block} is 1 until
 * a Flatten/Reshape folds the spatial positions of each channel into the axis.
 */
record ChannelMap(int axis, int[] map, int block) {
  static ChannelMap identity(int axis, int channels) {
    int[] m = new int[channels];
    Arrays.setAll(m, i -> i);
    return new ChannelMap(axis, m, 1);
  }

  boolean isIdentity(int channels) {
    if (block != 1 || map.length != channels) {
      return false;
    }
    for (int i = 0; i < map.length; i++) {
      if (map[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** Size of the axis. */
  int size() {
    return map.length * block;
  }

  /** Positions of the axis that stay when the group keeps the channels {@code kept}, ascending. */
  int[] keptPositions(boolean[] kept) {
    int[] out = new int[keptEntries(kept) * block];
    int at = 0;
    for (int i = 0; i < map.length; i++) {
      if (map[i] < 0 || kept[map[i]]) {
        for (int b = 0; b < block; b++) {
          out[at++] = i * block + b;
        }
      }
    }
    return out;
  }

  int keptEntries(boolean[] kept) {
    int n = 0;
    for (int e : map) {
      n += e < 0 || kept[e] ? 1 : 0;
    }
    return n;
  }

  ChannelMap withAxis(int a) {
    return new ChannelMap(a, map, block);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelMap c && c.axis == axis && c.block == block && Arrays.equals(c.map, map);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * axis + block) + Arrays.hashCode(map);
  }

  @Override
  public String toString() {
    return "axis " + axis + " " + Arrays.toString(map) + (block == 1 ? "" : " x" + block);
  }
}
