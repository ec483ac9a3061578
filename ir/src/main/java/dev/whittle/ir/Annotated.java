package dev.whittle.ir;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every ONNX element of the IR carries besides its meaning: a doc string, metadata_props, and
 * the protobuf fields Whittle does not know (kept as bytes and written back unchanged).
 */
public abstract class Annotated {
  private String docString;
  private final Map<String, String> metadataProps = new LinkedHashMap<>();
  private byte[] unknownFields;

  public String docString() {
    return docString;
  }

  public void setDocString(String docString) {
    this.docString = docString;
  }

  /** metadata_props, in file order; mutable. */
  public Map<String, String> metadataProps() {
    return metadataProps;
  }

  /** Serialized protobuf fields the reader did not know, or null. */
  public byte[] unknownFields() {
    return unknownFields == null ? null : unknownFields.clone();
  }

  public void setUnknownFields(byte[] fields) {
    this.unknownFields = fields == null || fields.length == 0 ? null : fields.clone();
  }

  /** Takes over another element's doc string, metadata and unknown fields (for copies). */
  protected void copyAnnotationsFrom(Annotated other) {
    docString = other.docString;
    metadataProps.putAll(other.metadataProps);
    unknownFields = other.unknownFields;
  }
}
