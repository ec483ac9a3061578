package dev.whittle.ir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable dense tensor: element type, dimensions and data.
 *
 * <p>Numeric data is a read-only {@link MemorySegment} in ONNX raw layout (little-endian,
 * sub-byte types packed two per byte, bool one byte each, complex as real/imaginary pairs). Weights
 * read from a file are memory-mapped slices of that file, never copied onto the heap; a pass that
 * changes a weight creates a new tensor. String tensors hold their elements as byte arrays.
 */
public final class Tensor {
  public static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfDouble F64 =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Where a tensor's bytes live in a file (for reports and to keep writers off their inputs). */
  public record FileLocation(Path file, long offset, long length) {}

  private final DType dtype;
  private final long[] dims;
  private final MemorySegment data;
  private final List<byte[]> strings;
  private final String name;
  private final String docString;
  private final Map<String, String> metadataProps;
  private final byte[] unknownFields;
  private final FileLocation location;
  /** The primitive array the data segment views, when the tensor was made by a {@code wrap} method. */
  private final Object array;

  private static final boolean LITTLE_ENDIAN_PLATFORM = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private Tensor(Builder b) {
    this.dtype = Objects.requireNonNull(b.dtype, "dtype");
    this.dims = b.dims.clone();
    long count = elementCount(dims);
    if (dtype == DType.STRING) {
      this.strings = List.copyOf(b.strings == null ? List.of() : b.strings);
      this.data = null;
      if (strings.size() != count) {
        throw WhittleException.builder("string tensor" + named(b.name) + " has the wrong element count")
            .expected(count + " elements for dims " + Shape.format(dims))
            .found(Integer.toString(strings.size()))
            .build();
      }
    } else {
      this.strings = null;
      MemorySegment seg = b.data == null ? MemorySegment.ofArray(new byte[0]) : b.data;
      long expected = dtype.byteSize(count);
      if (seg.byteSize() != expected) {
        throw WhittleException.builder("tensor" + named(b.name) + " data has the wrong size")
            .expected(expected + " bytes for " + dtype.displayName() + Shape.format(dims))
            .found(seg.byteSize() + " bytes")
            .build();
      }
      this.data = seg.isReadOnly() ? seg : seg.asReadOnly();
    }
    this.name = b.name;
    this.docString = b.docString;
    this.metadataProps = Map.copyOf(b.metadataProps);
    this.unknownFields = b.unknownFields;
    this.location = b.location;
    this.array = b.array;
  }

  private static String named(String name) {
    return name == null || name.isEmpty() ? "" : " '" + name + "'";
  }

  public static Builder builder(DType dtype, long... dims) {
    return new Builder(dtype, dims);
  }

  /** A tensor over raw little-endian bytes (copied only if the segment is writable heap memory). */
  public static Tensor of(DType dtype, long[] dims, MemorySegment data) {
    return builder(dtype, dims).data(data).build();
  }

  public static Tensor ofFloats(long[] dims, float... values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    MemorySegment.copy(values, 0, seg, F32, 0, values.length);
    return of(DType.FLOAT, dims, seg);
  }

  /**
   * A float tensor that takes ownership of {@code values} without copying (on little-endian
   * platforms). The caller must not modify the array afterwards.
   */
  public static Tensor wrapFloats(long[] dims, float[] values) {
    return LITTLE_ENDIAN_PLATFORM ? wrapped(DType.FLOAT, dims, MemorySegment.ofArray(values), values) : ofFloats(dims, values);
  }

  /** Like {@link #wrapFloats} for float64. */
  public static Tensor wrapDoubles(long[] dims, double[] values) {
    return LITTLE_ENDIAN_PLATFORM ? wrapped(DType.DOUBLE, dims, MemorySegment.ofArray(values), values) : ofDoubles(dims, values);
  }

  /** Like {@link #wrapFloats} for int64. */
  public static Tensor wrapLongs(long[] dims, long[] values) {
    return LITTLE_ENDIAN_PLATFORM ? wrapped(DType.INT64, dims, MemorySegment.ofArray(values), values) : ofLongs(dims, values);
  }

  /** Like {@link #wrapFloats} for 32-bit types (int32, uint32). */
  public static Tensor wrapInts(DType dtype, long[] dims, int[] values) {
    if (dtype.bits() != 32 || dtype == DType.FLOAT) {
      throw new IllegalArgumentException(dtype + " is not a 32-bit integer type");
    }
    if (!LITTLE_ENDIAN_PLATFORM) {
      MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
      MemorySegment.copy(values, 0, seg, I32, 0, values.length);
      return of(dtype, dims, seg);
    }
    return wrapped(dtype, dims, MemorySegment.ofArray(values), values);
  }

  /** Like {@link #wrapFloats} for 16-bit types (int16, uint16, float16, bfloat16), as raw bits. */
  public static Tensor wrapShorts(DType dtype, long[] dims, short[] values) {
    if (dtype.bits() != 16) {
      throw new IllegalArgumentException(dtype + " is not a 16-bit type");
    }
    if (!LITTLE_ENDIAN_PLATFORM) {
      MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 2]);
      MemorySegment.copy(values, 0, seg, I16, 0, values.length);
      return of(dtype, dims, seg);
    }
    return wrapped(dtype, dims, MemorySegment.ofArray(values), values);
  }

  /** Like {@link #wrapFloats} for byte-sized and packed sub-byte types, as raw bytes. */
  public static Tensor wrapBytes(DType dtype, long[] dims, byte[] values) {
    return wrapped(dtype, dims, MemorySegment.ofArray(values), values);
  }

  private static Tensor wrapped(DType dtype, long[] dims, MemorySegment seg, Object array) {
    Builder b = builder(dtype, dims).data(seg);
    b.array = array;
    return b.build();
  }

  public static Tensor ofDoubles(long[] dims, double... values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
    MemorySegment.copy(values, 0, seg, F64, 0, values.length);
    return of(DType.DOUBLE, dims, seg);
  }

  public static Tensor ofLongs(long[] dims, long... values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
    MemorySegment.copy(values, 0, seg, I64, 0, values.length);
    return of(DType.INT64, dims, seg);
  }

  public static Tensor ofInts(long[] dims, int... values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    MemorySegment.copy(values, 0, seg, I32, 0, values.length);
    return of(DType.INT32, dims, seg);
  }

  /** One-byte types (uint8, int8, bool, float8 variants) from their raw bytes. */
  public static Tensor ofBytes(DType dtype, long[] dims, byte... values) {
    if (dtype.bits() != 8) {
      throw new IllegalArgumentException(dtype + " is not a one-byte type");
    }
    return of(dtype, dims, MemorySegment.ofArray(values.clone()));
  }

  public static Tensor ofStrings(long[] dims, List<byte[]> values) {
    List<byte[]> copy = new ArrayList<>(values.size());
    for (byte[] v : values) {
      copy.add(v.clone());
    }
    return builder(DType.STRING, dims).strings(copy).build();
  }

  public static Tensor scalar(float v) {
    return ofFloats(new long[0], v);
  }

  public static Tensor scalar(long v) {
    return ofLongs(new long[0], v);
  }

  public static long elementCount(long[] dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new WhittleException("negative tensor dimension in " + Shape.format(dims));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    return dims[i];
  }

  public long elementCount() {
    return elementCount(dims);
  }

  /** Bytes of element data (for strings: the sum of the element lengths). */
  public long byteSize() {
    if (strings != null) {
      long n = 0;
      for (byte[] s : strings) {
        n += s.length;
      }
      return n;
    }
    return data.byteSize();
  }

  /** Raw little-endian data, read-only. Not available for string tensors. */
  public MemorySegment data() {
    if (data == null) {
      throw new IllegalStateException("string tensor" + named(name) + " has no raw data");
    }
    return data;
  }

  /** String elements (copies); only for string tensors. */
  public List<byte[]> strings() {
    if (strings == null) {
      throw new IllegalStateException(dtype.displayName() + " tensor" + named(name) + " has no strings");
    }
    List<byte[]> out = new ArrayList<>(strings.size());
    for (byte[] s : strings) {
      out.add(s.clone());
    }
    return out;
  }

  public Type.TensorType type() {
    return new Type.TensorType(dtype, Shape.of(dims));
  }

  /** The name this tensor carried in the file (initializers are named by their value instead). */
  public String name() {
    return name;
  }

  public String docString() {
    return docString;
  }

  public Map<String, String> metadataProps() {
    return metadataProps;
  }

  /** Serialized protobuf fields the reader did not know, written back unchanged. */
  public byte[] unknownFields() {
    return unknownFields == null ? null : unknownFields.clone();
  }

  /** Where the data was read from, if it came from a file (memory-mapped), else null. */
  public FileLocation location() {
    return location;
  }

  /** The same elements with other dims of equal element count (no copy; keeps any wrapped array). */
  public Tensor reshaped(long[] newDims) {
    Builder nb = new Builder(dtype, newDims);
    nb.data = data;
    nb.strings = strings;
    nb.array = array;
    return nb.build();
  }

  public Tensor withName(String newName) {
    return toBuilder().name(newName).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(dtype, dims);
    b.data = data;
    b.strings = strings;
    b.name = name;
    b.docString = docString;
    b.metadataProps.putAll(metadataProps);
    b.unknownFields = unknownFields;
    b.location = location;
    b.array = array;
    return b;
  }

  public float[] toFloatArray() {
    requireType(DType.FLOAT);
    return data.toArray(F32);
  }

  public double[] toDoubleArray() {
    requireType(DType.DOUBLE);
    return data.toArray(F64);
  }

  /** int64 or uint64 elements (uint64 as the same bits). */
  public long[] toLongArray() {
    if (dtype != DType.UINT64) {
      requireType(DType.INT64);
    }
    return data.toArray(I64);
  }

  public int[] toIntArray() {
    requireType(DType.INT32);
    return data.toArray(I32);
  }

  /**
   * The raw data as a read-only little-endian ByteBuffer: a view of the memory where possible (file
   * mappings, byte arrays), a copy for tensors that wrap wider primitive arrays (which the FFM API
   * cannot view as bytes).
   */
  public ByteBuffer byteBuffer() {
    MemorySegment d = data();
    if (array != null && !(array instanceof byte[])) {
      return ByteBuffer.wrap(d.toArray(ValueLayout.JAVA_BYTE)).asReadOnlyBuffer();
    }
    return d.asByteBuffer();
  }

  /**
   * The elements as a float array without copying when this tensor wraps one (see
   * {@link #wrapFloats}); otherwise a copy. Callers must treat the result as read-only.
   */
  public float[] floatsView() {
    return array instanceof float[] a ? a : toFloatArray();
  }

  /** Read-only view or copy of float64 elements, as {@link #floatsView()}. */
  public double[] doublesView() {
    return array instanceof double[] a ? a : toDoubleArray();
  }

  /** Read-only view or copy of int64 elements, as {@link #floatsView()}. */
  public long[] longsView() {
    return array instanceof long[] a ? a : toLongArray();
  }

  /** Read-only view or copy of 32-bit elements (int32, uint32), as {@link #floatsView()}. */
  public int[] intsView() {
    if (array instanceof int[] a) {
      return a;
    }
    if (dtype.bits() != 32 || dtype == DType.FLOAT) {
      throw new IllegalStateException("tensor" + named(name) + " is " + dtype.displayName() + ", not a 32-bit integer type");
    }
    return data.toArray(I32);
  }

  /** Read-only view or copy of 16-bit elements as raw bits, as {@link #floatsView()}. */
  public short[] shortsView() {
    if (array instanceof short[] a) {
      return a;
    }
    if (dtype.bits() != 16) {
      throw new IllegalStateException("tensor" + named(name) + " is " + dtype.displayName() + ", not a 16-bit type");
    }
    return data.toArray(I16);
  }

  /** Read-only view or copy of the raw bytes, as {@link #floatsView()}. */
  public byte[] bytesView() {
    return array instanceof byte[] a ? a : toByteArray();
  }

  public byte[] toByteArray() {
    return data().toArray(ValueLayout.JAVA_BYTE);
  }

  private void requireType(DType t) {
    if (dtype != t) {
      throw new IllegalStateException("tensor" + named(name) + " is " + dtype.displayName() + ", not " + t.displayName());
    }
  }

  /** SHA-256 of the element data (hex), for printing and comparing large tensors. */
  public String contentHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      if (strings != null) {
        for (byte[] s : strings) {
          md.update(Integer.toString(s.length).getBytes());
          md.update((byte) ':');
          md.update(s);
        }
      } else {
        md.update(byteBuffer());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Same element type, dims and element data (ignores name, doc string and file location). */
  public boolean contentEquals(Tensor o) {
    if (o.dtype != dtype || !Arrays.equals(o.dims, dims)) {
      return false;
    }
    if (strings != null) {
      if (o.strings.size() != strings.size()) {
        return false;
      }
      for (int i = 0; i < strings.size(); i++) {
        if (!Arrays.equals(strings.get(i), o.strings.get(i))) {
          return false;
        }
      }
      return true;
    }
    return data.mismatch(o.data) == -1;
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof Tensor o
        && contentEquals(o)
        && Objects.equals(o.name, name)
        && Objects.equals(o.docString, docString)
        && o.metadataProps.equals(metadataProps)
        && Arrays.equals(o.unknownFields, unknownFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(dims), name);
  }

  @Override
  public String toString() {
    return "Tensor" + named(name) + " " + dtype.displayName() + Shape.format(dims);
  }

  /** Assembles a {@link Tensor}; validates the data size against element type and dims. */
  public static final class Builder {
    private final DType dtype;
    private final long[] dims;
    private MemorySegment data;
    private List<byte[]> strings;
    private String name;
    private String docString;
    private final Map<String, String> metadataProps = new LinkedHashMap<>();
    private byte[] unknownFields;
    private FileLocation location;
    private Object array;

    private Builder(DType dtype, long[] dims) {
      this.dtype = dtype;
      this.dims = dims.clone();
    }

    public Builder data(MemorySegment data) {
      this.data = data;
      this.array = null;
      return this;
    }

    public Builder strings(List<byte[]> strings) {
      this.strings = strings;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder docString(String docString) {
      this.docString = docString;
      return this;
    }

    public Builder metadataProp(String key, String value) {
      metadataProps.put(key, value);
      return this;
    }

    public Builder unknownFields(byte[] unknownFields) {
      this.unknownFields = unknownFields == null || unknownFields.length == 0 ? null : unknownFields.clone();
      return this;
    }

    public Builder location(FileLocation location) {
      this.location = location;
      return this;
    }

    public Tensor build() {
      return new Tensor(this);
    }
  }
}
