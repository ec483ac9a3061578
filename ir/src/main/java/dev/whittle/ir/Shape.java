package dev.whittle.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A tensor shape: a list of {@link Dim}s, or "unknown rank" ({@link #unknownRank()}), which ONNX
 * expresses by leaving out the shape altogether.
 */
public final class Shape {
  private static final Shape UNKNOWN_RANK = new Shape(null);

  private final List<Dim> dims;

  private Shape(List<Dim> dims) {
    this.dims = dims;
  }

  public static Shape of(List<Dim> dims) {
    return new Shape(List.copyOf(dims));
  }

  public static Shape of(long... dims) {
    List<Dim> list = new ArrayList<>(dims.length);
    for (long d : dims) {
      list.add(Dim.of(d));
    }
    return new Shape(List.copyOf(list));
  }

  public static Shape unknownRank() {
    return UNKNOWN_RANK;
  }

  public boolean hasRank() {
    return dims != null;
  }

  public int rank() {
    if (dims == null) {
      throw new IllegalStateException("shape has unknown rank");
    }
    return dims.size();
  }

  public List<Dim> dims() {
    if (dims == null) {
      throw new IllegalStateException("shape has unknown rank");
    }
    return dims;
  }

  public Dim dim(int i) {
    return dims().get(i);
  }

  /** True when the rank and every dimension are known numbers. */
  public boolean isStatic() {
    return dims != null && dims.stream().allMatch(Dim::isFixed);
  }

  /** The fixed sizes; throws if any is not fixed. */
  public long[] toArray() {
    long[] out = new long[rank()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims.get(i).value();
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Objects.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(dims);
  }

  @Override
  public String toString() {
    return dims == null ? "[*]" : dims.toString().replace(" ", "");
  }

  /** Formats plain sizes the way shapes print, e.g. {@code [1,3,224,224]}. */
  public static String format(long[] dims) {
    return Arrays.toString(dims).replace(" ", "");
  }
}
