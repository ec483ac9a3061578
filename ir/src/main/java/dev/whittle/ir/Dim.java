package dev.whittle.ir;

import java.util.Objects;

/**
 * One dimension of a {@link Shape}: a fixed size, a symbol (ONNX {@code dim_param}) or unknown
 * (neither set). An optional denotation (ONNX {@code denotation}) is carried along unchanged.
 */
public final class Dim {
  private static final Dim UNKNOWN = new Dim(-1, null, null);

  private final long value;
  private final String symbol;
  private final String denotation;

  private Dim(long value, String symbol, String denotation) {
    this.value = value;
    this.symbol = symbol;
    this.denotation = denotation;
  }

  public static Dim of(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative dimension " + value);
    }
    return new Dim(value, null, null);
  }

  public static Dim symbol(String name) {
    return new Dim(-1, Objects.requireNonNull(name), null);
  }

  public static Dim unknown() {
    return UNKNOWN;
  }

  public Dim withDenotation(String denotation) {
    return new Dim(value, symbol, denotation);
  }

  public boolean isFixed() {
    return value >= 0;
  }

  public boolean isSymbolic() {
    return symbol != null;
  }

  /** The fixed size; only meaningful when {@link #isFixed()}. */
  public long value() {
    if (value < 0) {
      throw new IllegalStateException("dimension " + this + " is not fixed");
    }
    return value;
  }

  public String symbol() {
    return symbol;
  }

  public String denotation() {
    return denotation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dim d
        && d.value == value
        && Objects.equals(d.symbol, symbol)
        && Objects.equals(d.denotation, denotation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, symbol, denotation);
  }

  @Override
  public String toString() {
    String s = isFixed() ? Long.toString(value) : symbol != null ? symbol : "?";
    return denotation == null ? s : s + "@" + denotation;
  }
}
