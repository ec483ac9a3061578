package dev.whittle.ir.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSizesTest {
  @TempDir Path dir;

  @Test
  void streamedDeflatedSizeEqualsTheJdkStreamsOverSeveralChunks() throws IOException {
    byte[] data = new byte[200_000]; // three input chunks; half zeros (compressible), half random
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < data.length; i += 2) {
      data[i] = (byte) r.nextInt(256);
    }
    Path f = dir.resolve("f.bin");
    Files.write(f, data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(data);
    }
    long size = FileSizes.deflated(f);
    assertEquals(out.size(), size);
    assertTrue(size < data.length);
  }
}
