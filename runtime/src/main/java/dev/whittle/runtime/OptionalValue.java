package dev.whittle.runtime;

/** An ONNX optional value: either empty or holding a tensor or sequence. */
public record OptionalValue(Object value) {
  public static final OptionalValue EMPTY = new OptionalValue(null);

  public boolean isPresent() {
    return value != null;
  }
}
