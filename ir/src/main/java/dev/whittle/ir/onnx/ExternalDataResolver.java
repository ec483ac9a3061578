package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the bytes of tensors stored as external data ({@code data_location = EXTERNAL}). Locations
 * are relative to the model's folder; absolute locations and locations that lead outside the
 * folder (by {@code ..} or by symbolic links) are refused. Each external file is memory-mapped
 * once and tensors are slices of it.
 */
final class ExternalDataResolver {
  record Slice(MemorySegment data, Tensor.FileLocation location) {}

  private final Path modelFile;
  private final Path baseDir;
  private final Map<Path, MemorySegment> mapped = new HashMap<>();

  /** @param modelFile the model being read, or null when there is none (then external data is refused) */
  ExternalDataResolver(Path modelFile) {
    this.modelFile = modelFile;
    Path parent = modelFile == null ? null : modelFile.toAbsolutePath().getParent();
    this.baseDir = parent == null ? null : parent.normalize();
  }

  Slice resolve(TensorProto tp, long expectedBytes) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : tp.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseLong(tp, "offset", e.getValue());
        case "length" -> length = parseLong(tp, "length", e.getValue());
        default -> { } // "checksum" and unknown keys carry no data
      }
    }
    String tensor = tp.getName();
    if (location == null || location.isEmpty()) {
      throw error(tensor, "external data has no location").expected("an external_data entry 'location'").build();
    }
    if (baseDir == null) {
      throw error(tensor, "tensor refers to external data '" + location + "' but was not read from a file").build();
    }
    Path file = containedPath(tensor, location);
    if (!Files.isRegularFile(file)) {
      throw error(tensor, "external data file '" + location + "' not found").expected("a file at " + file).build();
    }
    MemorySegment whole = map(tensor, file);
    if (length < 0) {
      length = whole.byteSize() - offset;
    }
    if (offset < 0 || offset + length > whole.byteSize()) {
      throw error(tensor, "external data range lies outside '" + location + "'")
          .expected("offset + length <= " + whole.byteSize() + " bytes")
          .found("offset " + offset + ", length " + length).build();
    }
    if (length != expectedBytes) {
      throw error(tensor, "external data length does not match the tensor's element type and dims")
          .expected(expectedBytes + " bytes").found(length + " bytes").build();
    }
    return new Slice(whole.asSlice(offset, length), new Tensor.FileLocation(file, offset, length));
  }

  private Path containedPath(String tensor, String location) {
    Path rel;
    try {
      rel = Path.of(location);
    } catch (InvalidPathException e) {
      throw error(tensor, "external data location '" + location + "' is not a valid path").build();
    }
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
      throw error(tensor, "external data location '" + location + "' is absolute")
          .expected("a path relative to the model's folder " + baseDir).build();
    }
    Path file = baseDir.resolve(rel).normalize();
    if (!file.startsWith(baseDir)) {
      throw error(tensor, "external data location '" + location + "' leads outside the model's folder")
          .expected("a path inside " + baseDir).build();
    }
    try {
      if (Files.exists(file) && !file.toRealPath().startsWith(baseDir.toRealPath())) {
        throw error(tensor, "external data location '" + location + "' is a link that leads outside the model's folder")
            .expected("a file inside " + baseDir).build();
      }
    } catch (IOException e) {
      throw error(tensor, "cannot resolve external data location '" + location + "': " + e.getMessage()).build(e);
    }
    return file;
  }

  private MemorySegment map(String tensor, Path file) {
    MemorySegment seg = mapped.get(file);
    if (seg != null) {
      return seg;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto()).asReadOnly();
    } catch (IOException e) {
      throw error(tensor, "cannot read external data file " + file + ": " + e.getMessage()).build(e);
    }
    mapped.put(file, seg);
    return seg;
  }

  private long parseLong(TensorProto tp, String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw error(tp.getName(), "external data " + key + " is not a number")
          .expected("a decimal integer").found("'" + value + "'").build();
    }
  }

  private WhittleException.Builder error(String tensor, String problem) {
    return WhittleException.builder("tensor '" + tensor + "': " + problem).file(modelFile);
  }
}
