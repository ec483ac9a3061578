package dev.whittle.verify.text;

import dev.whittle.ir.WhittleException;
import dev.whittle.ir.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BERT WordPiece tokenizer described by a Hugging Face {@code tokenizer.json} (BertNormalizer,
 * BertPreTokenizer, WordPiece, [CLS] A [SEP] template): turns real sentences into the
 * input_ids/attention_mask/token_type_ids a BERT-style model such as MiniLM takes.
 */
public final class BertTokenizer {
  /** Token ids, attention mask and token types of one encoded sentence, padded to a length. */
  public record Encoding(long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {}

  private final Map<String, Integer> vocab;
  private final boolean lowercase;
  private final String prefix;
  private final int maxCharsPerWord;
  private final int unk;
  private final int cls;
  private final int sep;
  private final int pad;

  private BertTokenizer(Map<String, Integer> vocab, boolean lowercase, String prefix, int maxCharsPerWord) {
    this.vocab = vocab;
    this.lowercase = lowercase;
    this.prefix = prefix;
    this.maxCharsPerWord = maxCharsPerWord;
    this.unk = id("[UNK]");
    this.cls = id("[CLS]");
    this.sep = id("[SEP]");
    this.pad = id("[PAD]");
  }

  private int id(String token) {
    Integer i = vocab.get(token);
    if (i == null) {
      throw WhittleException.builder("tokenizer vocabulary lacks " + token).build();
    }
    return i;
  }

  @SuppressWarnings("unchecked")
  public static BertTokenizer load(Path tokenizerJson) {
    try {
      Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(tokenizerJson));
      Map<String, Object> model = (Map<String, Object>) root.get("model");
      if (!"WordPiece".equals(model.get("type"))) {
        throw WhittleException.builder("not a WordPiece tokenizer").found(String.valueOf(model.get("type"))).file(tokenizerJson).build();
      }
      Map<String, Integer> vocab = new HashMap<>();
      ((Map<String, Object>) model.get("vocab")).forEach((k, v) -> vocab.put(k, ((Number) v).intValue()));
      Map<String, Object> normalizer = (Map<String, Object>) root.get("normalizer");
      boolean lowercase = normalizer != null && Boolean.TRUE.equals(normalizer.get("lowercase"));
      Object max = model.get("max_input_chars_per_word");
      return new BertTokenizer(vocab, lowercase, String.valueOf(model.getOrDefault("continuing_subword_prefix", "##")),
          max == null ? 100 : ((Number) max).intValue());
    } catch (IOException e) {
      throw WhittleException.builder("cannot read tokenizer: " + e.getMessage()).file(tokenizerJson).build(e);
    }
  }

  /** [CLS] tokens [SEP], truncated or padded to {@code length}. */
  public Encoding encode(String text, int length) {
    List<Integer> ids = new ArrayList<>();
    ids.add(cls);
    for (String word : preTokenize(normalize(text))) {
      ids.addAll(wordPiece(word));
    }
    if (ids.size() > length - 1) {
      ids = new ArrayList<>(ids.subList(0, length - 1));
    }
    ids.add(sep);
    long[] inputIds = new long[length];
    long[] mask = new long[length];
    for (int i = 0; i < length; i++) {
      inputIds[i] = i < ids.size() ? ids.get(i) : pad;
      mask[i] = i < ids.size() ? 1 : 0;
    }
    return new Encoding(inputIds, mask, new long[length]);
  }

  /** Clean control characters, space out CJK characters, lowercase and strip accents. */
  private String normalize(String text) {
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (cp == 0 || cp == 0xFFFD || (Character.isISOControl(cp) && cp != '\t' && cp != '\n' && cp != '\r')) {
        return;
      }
      if (Character.isWhitespace(cp)) {
        b.append(' ');
      } else if (isCjk(cp)) {
        b.append(' ').appendCodePoint(cp).append(' ');
      } else {
        b.appendCodePoint(cp);
      }
    });
    String s = b.toString();
    if (lowercase) {
      s = Normalizer.normalize(s.toLowerCase(java.util.Locale.ROOT), Normalizer.Form.NFD).replaceAll("\\p{Mn}", "");
    }
    return s;
  }

  private static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  private static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    int t = Character.getType(cp);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
        || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
        || t == Character.OTHER_PUNCTUATION;
  }

  /** Splits on whitespace and makes every punctuation character its own word. */
  private static List<String> preTokenize(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    s.codePoints().forEach(cp -> {
      if (Character.isWhitespace(cp)) {
        flush(words, cur);
      } else if (isPunctuation(cp)) {
        flush(words, cur);
        words.add(new String(Character.toChars(cp)));
      } else {
        cur.appendCodePoint(cp);
      }
    });
    flush(words, cur);
    return words;
  }

  private static void flush(List<String> words, StringBuilder cur) {
    if (cur.length() > 0) {
      words.add(cur.toString());
      cur.setLength(0);
    }
  }

  /** Greedy longest-match-first split into vocabulary pieces; [UNK] when a word cannot be split. */
  private List<Integer> wordPiece(String word) {
    if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
      return List.of(unk);
    }
    List<Integer> pieces = new ArrayList<>();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (start < end) {
        String sub = (start > 0 ? prefix : "") + word.substring(start, end);
        found = vocab.get(sub);
        if (found != null) {
          break;
        }
        end = word.offsetByCodePoints(end, -1);
      }
      if (found == null) {
        return List.of(unk);
      }
      pieces.add(found);
      start = end;
    }
    return pieces;
  }
}
