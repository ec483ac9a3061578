package dev.whittle.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void floatsAreStoredLittleEndian() {
    Tensor t = Tensor.ofFloats(new long[] {2}, 1.0f, -2.5f);
    // IEEE-754: 1.0f = 0x3F800000, -2.5f = 0xC0200000, low byte first.
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0x20, (byte) 0xC0}, t.toByteArray());
    assertArrayEquals(new float[] {1.0f, -2.5f}, t.toFloatArray());
  }

  @Test
  void dataSizeMustMatchTypeAndDims() {
    WhittleException e = assertThrows(WhittleException.class,
        () -> Tensor.of(DType.FLOAT, new long[] {3}, MemorySegment.ofArray(new byte[8])));
    assertTrue(e.getMessage().contains("expected 12 bytes"), e.getMessage());
  }

  @Test
  void subByteTypesPackTwoPerByte() {
    assertEquals(3, DType.INT4.byteSize(5));
    Tensor t = Tensor.of(DType.UINT4, new long[] {5}, MemorySegment.ofArray(new byte[3]));
    assertEquals(5, t.elementCount());
    assertThrows(WhittleException.class, () -> Tensor.of(DType.UINT4, new long[] {5}, MemorySegment.ofArray(new byte[2])));
  }

  @Test
  void tensorsAreImmutable() {
    byte[] raw = {1, 2, 3};
    Tensor t = Tensor.ofBytes(DType.UINT8, new long[] {3}, raw);
    raw[0] = 9;
    assertEquals(1, t.toByteArray()[0]);
    assertTrue(t.data().isReadOnly());
  }

  @Test
  void contentEqualityAndHash() {
    Tensor a = Tensor.ofLongs(new long[] {2}, 1, 2);
    Tensor b = Tensor.ofLongs(new long[] {2}, 1, 2).withName("b");
    Tensor c = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    assertTrue(a.contentEquals(b));
    assertFalse(a.equals(b), "names differ");
    assertFalse(a.contentEquals(c), "dims differ");
    assertEquals(a.contentHash(), b.contentHash());
  }

  @Test
  void stringTensors() {
    Tensor s = Tensor.ofStrings(new long[] {2}, List.of("a".getBytes(StandardCharsets.UTF_8), "bc".getBytes(StandardCharsets.UTF_8)));
    assertEquals(3, s.byteSize());
    assertEquals("bc", new String(s.strings().get(1), StandardCharsets.UTF_8));
    assertThrows(WhittleException.class, () -> Tensor.ofStrings(new long[] {3}, List.of()));
  }
}
