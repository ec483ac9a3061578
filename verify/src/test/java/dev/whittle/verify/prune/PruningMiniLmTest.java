package dev.whittle.verify.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Model;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.onnx.OnnxReader;
import dev.whittle.ir.onnx.OnnxWriter;
import dev.whittle.ir.testing.TestAssets;
import dev.whittle.passes.Optimizer;
import dev.whittle.pruning.LeastSquaresHook;
import dev.whittle.pruning.PrunableLayer;
import dev.whittle.pruning.Pruner;
import dev.whittle.pruning.PruningOptions;
import dev.whittle.pruning.RetrainHook;
import dev.whittle.pruning.Schedule;
import dev.whittle.quantization.ModelQuantizer;
import dev.whittle.quantization.QuantizationOptions;
import dev.whittle.verify.OrtRunner;
import dev.whittle.verify.SentenceEmbeddings;
import dev.whittle.verify.text.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MiniLM with every MatMul weight at 50% unstructured sparsity: magnitude alone, magnitude with
 * the least-squares hook, and the second-order criterion (which refits as it prunes), calibrated on
 * 1,000 sentences written for this ({@code calibration-sentences.txt} and the start of
 * {@code calibration-text.txt}), none of them in the evaluation sets. Mean cosine of mean-pooled
 * sentence embeddings against the dense model, all run in ONNX Runtime, on the 24 evaluation
 * sentences and on the last 200 sentences of {@code calibration-text.txt} (held out); the best pruned
 * model is then quantized (dynamic int8, per channel) and reported with size and cosine.
 */
class PruningMiniLmTest {
  /** Sentences of calibration-text.txt used for calibration (after the 236 of calibration-sentences.txt). */
  static final int TEXT = 764;
  /** The last sentences of calibration-text.txt, held out of calibration and evaluated on. */
  static final int HELD_OUT = 200;

  @TempDir Path dir;

  @Test
  void halfSparseMiniLmKeepsItsSentenceEmbeddings() throws IOException {
    Path file = TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx");
    BertTokenizer tokenizer = BertTokenizer.load(TestAssets.fetchedModel("minilm/all-minilm-l6-v2-tokenizer.json"));
    Model dense = Optimizer.run(OnnxReader.read(file)).model();
    // measured with 1,000 sentences (24 evaluation / 200 held-out): least squares 0.949 / 0.950, obs
    // 0.961 / 0.962 (without the residual correction 0.941 / 0.944 and 0.951 / 0.953; on the 236
    // sentences of calibration-sentences.txt alone 0.916 and 0.939): layer-wise refits overfit a few
    // thousand tokens, so more text helps, until in-sample and held-out meet near 0.96
    List<String> sentences = new ArrayList<>(SentenceEmbeddings.calibrationSentences());
    List<String> text = SentenceEmbeddings.calibrationText();
    sentences.addAll(text.subList(0, TEXT));
    List<String> heldOut = text.subList(text.size() - HELD_OUT, text.size());
    assertTrue(java.util.Collections.disjoint(sentences, SentenceEmbeddings.sentences()), "calibration and evaluation overlap");
    assertTrue(java.util.Collections.disjoint(sentences, heldOut), "calibration and held-out sentences overlap");
    List<Map<String, Tensor>> calibration = new ArrayList<>();
    for (String s : sentences) {
      calibration.add(SentenceEmbeddings.bertInputs(SentenceEmbeddings.unpadded(tokenizer.encode(s, 64))));
    }
    // all MatMul weights: first and last layers included, as the issue asks
    PruningOptions o = PruningOptions.of(0.5).withSkipFirstAndLast(false);
    Pruner.Result plain = Pruner.prune(dense, o, Schedule.oneShot(), RetrainHook.NONE, calibration);
    Pruner.Result refit = Pruner.prune(dense, o, Schedule.oneShot(), new LeastSquaresHook(dense), calibration);
    Pruner.Result obs = Pruner.prune(dense, o.withCriterion(PruningOptions.Criterion.OBS), Schedule.oneShot(), RetrainHook.NONE,
        calibration);
    for (Pruner.Result r : List.of(refit, obs)) {
      assertEquals(PrunableLayer.find(dense).size(), r.layers().size());
      for (Pruner.LayerReport l : r.layers()) {
        assertEquals(0.5, l.sparsity(), 1e-3, l.weight());
      }
    }
    Path densePath = write(dense, "dense.onnx");
    List<String> eval = SentenceEmbeddings.sentences();
    Path plainPath = write(plain.model(), "plain.onnx");
    Path refitPath = write(refit.model(), "refit.onnx");
    Path obsPath = write(obs.model(), "obs.onnx");
    double without = meanCosine(densePath, plainPath, tokenizer, eval);
    double withHook = meanCosine(densePath, refitPath, tokenizer, eval);
    double second = meanCosine(densePath, obsPath, tokenizer, eval);
    ModelQuantizer.Result q = ModelQuantizer.quantize(obs.model(),
        QuantizationOptions.defaults(QuantizationOptions.Mode.DYNAMIC).withPerChannel(true));
    Path quantPath = write(q.model(), "obs-int8.onnx");
    double quantized = meanCosine(densePath, quantPath, tokenizer, eval);
    System.out.printf("MiniLM 50%% sparse, mean sentence-embedding cosine vs dense over %d sentences (calibration: %d others):"
        + " magnitude only %.4f, with the least-squares hook %.4f, second order (obs) %.4f%n", eval.size(), sentences.size(), without,
        withHook, second);
    System.out.printf("MiniLM 50%% sparse, same over %d held-out sentences: magnitude only %.4f, with the least-squares hook %.4f,"
        + " second order (obs) %.4f%n", heldOut.size(), meanCosine(densePath, plainPath, tokenizer, heldOut),
        meanCosine(densePath, refitPath, tokenizer, heldOut), meanCosine(densePath, obsPath, tokenizer, heldOut));
    System.out.printf("MiniLM 50%% sparse (obs) then dynamic int8: %,d -> %,d bytes (%,d deflated), cosine vs dense %.4f%n",
        Files.size(densePath), Files.size(quantPath), dev.whittle.ir.report.FileSizes.deflated(quantPath), quantized);
    // the target of 0.98 is NOT reached (see the issue notes): these guard the ordering measured
    // when this was written (magnitude < least-squares < obs) and that quantizing costs little on top
    assertTrue(withHook >= without + 0.05, "the least-squares hook must help: " + withHook + " vs " + without);
    assertTrue(second >= withHook + 0.005, "second order must beat magnitude + least squares: " + second + " vs " + withHook);
    assertTrue(second >= 0.955, "obs with the residual correction measured 0.961: " + second);
    assertTrue(quantized >= second - 0.02, "int8 on top of pruning: " + quantized + " vs " + second);
  }

  private Path write(Model m, String name) {
    Path p = dir.resolve(name);
    OnnxWriter.write(m, p);
    return p;
  }

  /** Mean cosine of the two models' mean-pooled embeddings of {@code sentences}, both run in ONNX Runtime. */
  private static double meanCosine(Path a, Path b, BertTokenizer tokenizer, List<String> sentences) {
    double sum = 0;
    try (OrtRunner x = OrtRunner.open(a); OrtRunner y = OrtRunner.open(b)) {
      for (String s : sentences) {
        BertTokenizer.Encoding e = SentenceEmbeddings.unpadded(tokenizer.encode(s, 48));
        Map<String, Tensor> in = SentenceEmbeddings.bertInputs(e);
        sum += SentenceEmbeddings.cosine(SentenceEmbeddings.meanPool(x.run(in).get("last_hidden_state"), e.attentionMask()),
            SentenceEmbeddings.meanPool(y.run(in).get("last_hidden_state"), e.attentionMask()));
      }
    }
    return sum / sentences.size();
  }
}
