package dev.whittle.ir;

/**
 * ONNX tensor element types, with their {@code TensorProto.DataType} codes and storage widths.
 * Sub-byte types (int4, uint4, float4e2m1) pack two elements per byte, low nibble first.
 */
public enum DType {
  UNDEFINED(0, 0, "undefined"),
  FLOAT(1, 32, "float32"),
  UINT8(2, 8, "uint8"),
  INT8(3, 8, "int8"),
  UINT16(4, 16, "uint16"),
  INT16(5, 16, "int16"),
  INT32(6, 32, "int32"),
  INT64(7, 64, "int64"),
  STRING(8, 0, "string"),
  BOOL(9, 8, "bool"),
  FLOAT16(10, 16, "float16"),
  DOUBLE(11, 64, "float64"),
  UINT32(12, 32, "uint32"),
  UINT64(13, 64, "uint64"),
  COMPLEX64(14, 64, "complex64"),
  COMPLEX128(15, 128, "complex128"),
  BFLOAT16(16, 16, "bfloat16"),
  FLOAT8E4M3FN(17, 8, "float8e4m3fn"),
  FLOAT8E4M3FNUZ(18, 8, "float8e4m3fnuz"),
  FLOAT8E5M2(19, 8, "float8e5m2"),
  FLOAT8E5M2FNUZ(20, 8, "float8e5m2fnuz"),
  UINT4(21, 4, "uint4"),
  INT4(22, 4, "int4"),
  FLOAT4E2M1(23, 4, "float4e2m1"),
  FLOAT8E8M0(24, 8, "float8e8m0");

  private static final DType[] BY_CODE;

  static {
    int max = 0;
    for (DType t : values()) {
      max = Math.max(max, t.code);
    }
    BY_CODE = new DType[max + 1];
    for (DType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final int bits;
  private final String displayName;

  DType(int code, int bits, String displayName) {
    this.code = code;
    this.bits = bits;
    this.displayName = displayName;
  }

  /** The {@code TensorProto.DataType} number. */
  public int code() {
    return code;
  }

  /** Bits one element occupies in raw (packed) storage; 0 for string and undefined. */
  public int bits() {
    return bits;
  }

  /** Short lower-case name used in the text form and reports, e.g. {@code float32}. */
  public String displayName() {
    return displayName;
  }

  public boolean isSubByte() {
    return bits == 4;
  }

  public boolean isFloatingPoint() {
    return switch (this) {
      case FLOAT, DOUBLE, FLOAT16, BFLOAT16, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2,
          FLOAT8E5M2FNUZ, FLOAT4E2M1, FLOAT8E8M0 -> true;
      default -> false;
    };
  }

  public boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, UINT4, INT4 -> true;
      default -> false;
    };
  }

  /** Bytes needed to store {@code count} elements in raw form (sub-byte types round up). */
  public long byteSize(long count) {
    if (this == STRING || this == UNDEFINED) {
      throw new IllegalStateException(displayName + " has no fixed byte size");
    }
    return (count * bits + 7) / 8;
  }

  /** The type with this code, or throws a {@link WhittleException} naming the unknown code. */
  public static DType fromCode(int code) {
    if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
      return BY_CODE[code];
    }
    throw WhittleException.builder("unknown tensor element type")
        .expected("a TensorProto.DataType code between 0 and " + (BY_CODE.length - 1))
        .found(Integer.toString(code))
        .build();
  }

  /** The type with this display name (as printed by {@link #displayName()}). */
  public static DType fromDisplayName(String name) {
    for (DType t : values()) {
      if (t.displayName.equals(name)) {
        return t;
      }
    }
    throw new WhittleException("unknown element type name '" + name + "'");
  }
}
