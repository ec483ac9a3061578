package dev.whittle.ir.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;

/** File sizes as reports give them. */
public final class FileSizes {
  private FileSizes() {}

  /** The size of the file deflated as a zip entry would be (what a download or an archive costs); streamed, not read whole. */
  public static long deflated(Path file) throws IOException {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] input = new byte[1 << 16];
      byte[] output = new byte[1 << 16];
      long total = 0;
      int n;
      while ((n = in.read(input)) > 0) {
        d.setInput(input, 0, n);
        while (!d.needsInput()) {
          total += d.deflate(output);
        }
      }
      d.finish();
      while (!d.finished()) {
        total += d.deflate(output);
      }
      return total;
    } finally {
      d.end();
    }
  }
}
