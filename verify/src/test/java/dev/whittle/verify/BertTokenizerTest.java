package dev.whittle.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.whittle.ir.testing.TestAssets;
import dev.whittle.verify.text.BertTokenizer;
import org.junit.jupiter.api.Test;

/** Token ids checked against the vocabulary entries of bert-base-uncased (which MiniLM shares). */
class BertTokenizerTest {
  @Test
  void encodesLikeBertWordPiece() {
    BertTokenizer t = BertTokenizer.load(TestAssets.fetchedModel("minilm/all-minilm-l6-v2-tokenizer.json"));
    BertTokenizer.Encoding e = t.encode("Hello, World is a TEST.", 10);
    // [CLS] hello , world is a test . [SEP] [PAD]: "hello"=7592, ","=1010, "world"=2088, "is"=2003,
    // "a"=1037, "test"=3231, "."=1012 in the bert-base-uncased vocabulary.
    assertArrayEquals(new long[] {101, 7592, 1010, 2088, 2003, 1037, 3231, 1012, 102, 0}, e.inputIds());
    assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, e.attentionMask());
    // Accents are stripped after lowercasing ("Café" -> "cafe").
    assertArrayEquals(t.encode("cafe", 4).inputIds(), t.encode("Café", 4).inputIds());
    // A word missing from the vocabulary splits greedily, longest piece first, into ## pieces.
    // "unaffable" -> una (14477) ##ffa (20961) ##ble (3468).
    assertArrayEquals(new long[] {101, 14477, 20961, 3468, 102, 0}, t.encode("unaffable", 6).inputIds());
  }
}
