package dev.whittle.verify;

import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.ops.Casts;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random inputs generated from a model's declared input types. Floats are uniform in
 * [floatLow, floatHigh); integers (ids, indices) uniform in [0, intHigh); bools fair coin flips.
 * Symbolic or unknown dimensions take {@link #symbolicSize} unless a dimension size is given for
 * the symbol, or a whole shape is given for the input.
 */
public final class RandomInputs {
  private long seed = 42;
  private double floatLow = -1;
  private double floatHigh = 1;
  private long intHigh = 10;
  private long symbolicSize = 1;
  private final Map<String, Long> symbols = new HashMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();

  public RandomInputs seed(long s) {
    this.seed = s;
    return this;
  }

  public RandomInputs floatRange(double low, double high) {
    this.floatLow = low;
    this.floatHigh = high;
    return this;
  }

  /** Integer inputs are drawn from [0, high): e.g. the vocabulary size for token ids. */
  public RandomInputs intRange(long high) {
    this.intHigh = high;
    return this;
  }

  public RandomInputs symbolicSize(long size) {
    this.symbolicSize = size;
    return this;
  }

  public RandomInputs symbol(String name, long size) {
    symbols.put(name, size);
    return this;
  }

  public RandomInputs shape(String input, long... dims) {
    shapes.put(input, dims.clone());
    return this;
  }

  /** One tensor per graph input that is not an initializer. */
  public Map<String, Tensor> generate(List<Value> inputs) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Value v : inputs) {
      if (v.isInitializer()) {
        continue;
      }
      if (!(v.type() instanceof Type.TensorType t)) {
        throw WhittleException.builder("cannot generate random data for input '" + v.name() + "'")
            .expected("a tensor type").found(v.type() == null ? "no type" : v.type().toString()).build();
      }
      long[] dims = shapes.containsKey(v.name()) ? shapes.get(v.name()) : dims(t);
      out.put(v.name(), tensor(t.elementType(), dims, rnd));
    }
    return out;
  }

  private long[] dims(Type.TensorType t) {
    if (!t.shape().hasRank()) {
      return new long[] {symbolicSize};
    }
    long[] dims = new long[t.shape().rank()];
    for (int i = 0; i < dims.length; i++) {
      Dim d = t.shape().dim(i);
      dims[i] = d.isFixed() ? d.value() : d.isSymbolic() && symbols.containsKey(d.symbol()) ? symbols.get(d.symbol()) : symbolicSize;
    }
    return dims;
  }

  private Tensor tensor(DType dt, long[] dims, SplittableRandom rnd) {
    int n = Math.toIntExact(Tensor.elementCount(dims));
    if (Casts.isFloatLike(dt) || dt == DType.DOUBLE) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = floatLow + (floatHigh - floatLow) * rnd.nextDouble();
      }
      return Casts.fromDoubles(dt, dims, v);
    }
    if (dt == DType.BOOL || dt.isInteger()) {
      long[] v = new long[n];
      long high = dt == DType.BOOL ? 2 : intHigh;
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextLong(high);
      }
      return Casts.fromLongs(dt, dims, v);
    }
    throw WhittleException.builder("cannot generate random data of this type").found(dt.displayName()).build();
  }
}
