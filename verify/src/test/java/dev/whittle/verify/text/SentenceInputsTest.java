package dev.whittle.verify.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Shape;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.verify.InputSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sentences from a text file as MiniLM's three inputs; [CLS] = 101 and [SEP] = 102 in its vocabulary. */
class SentenceInputsTest {
  @TempDir Path dir;

  @Test
  void linesBecomeBertInputsPaddedOrAtTheirOwnLength() throws IOException {
    Path tokenizer = TestAssets.fetchedModel("minilm/all-minilm-l6-v2-tokenizer.json");
    Model model = OnnxReader.read(TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx"));
    Path text = dir.resolve("s.txt");
    Files.writeString(text, "# a comment\nHello world.\n\nThe quick brown fox jumps over the lazy dog.\nskipped\n");
    List<InputSource.Sample> padded = new SentenceInputs(text, tokenizer, 0, 2, true).samples(model);
    assertEquals(2, padded.size());
    long[] longer = padded.get(1).inputs().get("input_ids").toLongArray();
    long[] shorter = padded.get(0).inputs().get("input_ids").toLongArray();
    assertEquals(longer.length, shorter.length, "padded to the longest line");
    assertEquals(101, longer[0]);
    assertEquals(102, longer[longer.length - 1]);
    assertEquals(0, shorter[shorter.length - 1], "[PAD]");
    long[] mask = padded.get(0).inputs().get("attention_mask").toLongArray();
    assertEquals(0, mask[mask.length - 1]);
    assertArrayEquals(new long[longer.length], padded.get(0).inputs().get("token_type_ids").toLongArray());
    List<InputSource.Sample> own = new SentenceInputs(text, tokenizer, 0, 2, false).samples(model);
    long[] ids = own.get(0).inputs().get("input_ids").toLongArray();
    assertTrue(ids.length < longer.length);
    assertEquals(102, ids[ids.length - 1]);
    assertEquals("line 2", new SentenceInputs(text, tokenizer, 1, 5, false).samples(model).getFirst().label());
  }

  @Test
  void aModelWithOtherInputsIsRefusedByName() throws IOException {
    Path tokenizer = TestAssets.fetchedModel("minilm/all-minilm-l6-v2-tokenizer.json");
    Path text = dir.resolve("s.txt");
    Files.writeString(text, "Hello.\n");
    Graph g = new Graph("g");
    g.addInput(g.newValue("pixels", new Type.TensorType(DType.FLOAT, Shape.of(1, 3))));
    Model m = new Model(g);
    WhittleException e = assertThrows(WhittleException.class, () -> new SentenceInputs(text, tokenizer, 0, 1, true).samples(m));
    assertTrue(e.getMessage().contains("'pixels'"), e.getMessage());
  }
}
