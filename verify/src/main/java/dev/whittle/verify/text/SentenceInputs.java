package dev.whittle.verify.text;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.verify.InputSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs for a BERT-style text encoder from a text file of one sentence per line (blank lines and
 * lines starting with {@code #} skipped): each line tokenized with a WordPiece {@code tokenizer.json},
 * batch 1, either padded to the longest line used (at most 512 tokens: padding positions are then part
 * of what calibration sees, as they are when an application pads a batch) or at its own length (for
 * comparisons: the outputs at padding positions mean nothing and need not agree). The model's inputs are
 * matched by name: {@code *input_ids*} (token ids), {@code *mask*} (1 for real tokens, 0 for
 * padding) and {@code *type*} (segment ids, 0); int64 inputs only.
 */
public final class SentenceInputs implements InputSource {
  private static final int MAX_LENGTH = 512;
  private final Path text;
  private final Path tokenizer;
  private final int from;
  private final int count;
  private final boolean padded;

  /** Lines {@code from .. from+count-1} (of the non-blank, non-comment ones) of {@code text}, padded or each at its length. */
  public SentenceInputs(Path text, Path tokenizer, int from, int count, boolean padded) {
    this.text = text;
    this.tokenizer = tokenizer;
    this.from = from;
    this.count = count;
    this.padded = padded;
  }

  /** The sentences used: non-blank lines not starting with {@code #}, from {@code from}, at most {@code count}. */
  public List<String> sentences() {
    List<String> lines;
    try {
      lines = Files.readString(text, StandardCharsets.UTF_8).lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw WhittleException.builder("cannot read sentences: " + e.getMessage()).file(text).build(e);
    }
    if (lines.size() <= from) {
      throw WhittleException.builder("the text file has too few sentences").file(text).expected("more than " + from)
          .found(lines.size() + "").build();
    }
    return lines.subList(from, Math.min(lines.size(), from + count));
  }

  @Override
  public List<Sample> samples(Model original) {
    Map<String, String> roles = roles(original);
    BertTokenizer t = BertTokenizer.load(tokenizer);
    List<String> sentences = sentences();
    // tokenized once at the longest length; a shorter encoding is a prefix of it (padding comes last)
    List<BertTokenizer.Encoding> full = sentences.stream().map(s -> t.encode(s, MAX_LENGTH)).toList();
    int length = full.stream().mapToInt(SentenceInputs::realTokens).max().orElse(0);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      BertTokenizer.Encoding e = full.get(i);
      int n = padded ? length : realTokens(e);
      long[] dims = {1, n};
      Map<String, Tensor> in = new LinkedHashMap<>();
      roles.forEach((name, role) -> in.put(name, Tensor.ofLongs(dims, java.util.Arrays.copyOf(switch (role) {
        case "ids" -> e.inputIds();
        case "mask" -> e.attentionMask();
        default -> e.tokenTypeIds();
      }, n))));
      out.add(new Sample("line " + (from + i + 1), in));
    }
    return out;
  }

  @Override
  public String describe() {
    return "sentences of " + text + " from line " + (from + 1) + (padded ? ", padded to the longest" : ", unpadded") + ", tokenized with "
        + tokenizer;
  }

  private static int realTokens(BertTokenizer.Encoding e) {
    int n = 0;
    for (long m : e.attentionMask()) {
      n += (int) m;
    }
    return n;
  }

  /** Input name → ids, mask or type; every fed input must be one of them, int64 and of rank 2. */
  private Map<String, String> roles(Model model) {
    Map<String, String> roles = new LinkedHashMap<>();
    for (Value v : model.graph().inputs()) {
      if (v.isInitializer()) {
        continue;
      }
      String name = v.name().toLowerCase(java.util.Locale.ROOT);
      String role = name.contains("input_ids") ? "ids" : name.contains("mask") ? "mask" : name.contains("type") ? "type" : null;
      boolean int64 = v.type() instanceof Type.TensorType tt && tt.elementType() == DType.INT64;
      if (role == null || !int64) {
        throw WhittleException.builder("cannot feed input '" + v.name() + "' from sentences").file(text)
            .expected("int64 inputs named like input_ids, attention_mask, token_type_ids").found(String.valueOf(v.type())).build();
      }
      roles.put(v.name(), role);
    }
    if (!roles.containsValue("ids")) {
      throw WhittleException.builder("the model has no input_ids input to feed sentences to").file(text).build();
    }
    return roles;
  }
}
