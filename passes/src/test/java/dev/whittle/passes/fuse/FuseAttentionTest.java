package dev.whittle.passes.fuse;

import static dev.whittle.passes.NetBuilder.explanations;
import static dev.whittle.passes.NetBuilder.ops;
import static dev.whittle.passes.NetBuilder.optimize;
import static dev.whittle.passes.NetBuilder.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Value;
import dev.whittle.passes.NetBuilder;
import dev.whittle.passes.Optimizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fuse-attention on the BERT export pattern (B=2, T=5, 2 heads of 4): the fused model computes what
 * the decomposed one does in Whittle's runtime (whose Attention passes the ONNX backend cases; ONNX
 * Runtime is compared on MiniLM in the verify module), and near misses are refused with a reason.
 */
class FuseAttentionTest {
  private static final float TOL = 2e-5f;

  /** x[2,5,8] and an additive mask[2,1,1,5]; scores scaled by 1/c (Div) when c != 1; an extra reader of the scores on request. */
  private static Model attention(long opset, float c, boolean withMask, boolean extraReader) {
    return layers(opset, c, withMask, extraReader, 1);
  }

  /** {@code count} attention layers one after the other, sharing the mask. */
  private static Model layers(long opset, float c, boolean withMask, boolean extraReader, int count) {
    NetBuilder b = new NetBuilder();
    Value y = b.input("x", 2, 5, 8);
    Value mask = withMask ? b.input("mask", 2, 1, 1, 5) : null;
    Value s = null;
    for (int layer = 0; layer < count; layer++) {
      Value x = y;
      Value split = b.ints(0, 0, 2, 4);
      Value q = b.op("Transpose", List.of(Attribute.ofInts("perm", 0, 2, 1, 3)), b.op("Reshape", b.op("MatMul", x, b.randomWeight(8, 8)), split));
      Value k = b.op("Transpose", List.of(Attribute.ofInts("perm", 0, 2, 3, 1)), b.op("Reshape", b.op("MatMul", x, b.randomWeight(8, 8)), split));
      Value v = b.op("Transpose", List.of(Attribute.ofInts("perm", 0, 2, 1, 3)), b.op("Reshape", b.op("MatMul", x, b.randomWeight(8, 8)), split));
      s = b.op("MatMul", q, k);
      if (c != 1) {
        s = b.op("Div", s, b.constant(c));
      }
      if (withMask) {
        s = b.op("Add", s, mask);
      }
      Value p = b.op("Softmax", List.of(Attribute.of("axis", -1L)), s);
      Value ctx = b.op("Transpose", List.of(Attribute.ofInts("perm", 0, 2, 1, 3)), b.op("MatMul", p, v));
      y = b.op("Reshape", ctx, b.ints(0, 0, 8));
    }
    return extraReader ? b.model(opset, y, b.op("Neg", s)) : b.model(opset, y);
  }

  @Test
  void layersWithQueriesOfOneLengthShareTheExpandedMask() {
    Model m = layers(23, 2f, true, false, 2);
    Optimizer.Result r = optimize(m, new FuseAttention());
    assertEquals(List.of("MatMul", "MatMul", "MatMul", "Shape", "Concat", "Expand", "Attention", "MatMul", "MatMul", "MatMul", "Attention"),
        ops(r.model()));
    assertClose(run(m, 5), run(r.model(), 5));
  }

  @Test
  void maskedScaledAttentionBecomesOneNode() {
    Model m = attention(23, 2f, true, false);
    Optimizer.Result r = optimize(m, new FuseAttention());
    assertEquals(List.of("MatMul", "MatMul", "MatMul", "Shape", "Concat", "Expand", "Attention"), ops(r.model()));
    Node att = r.model().graph().nodes().getLast();
    assertEquals(2, att.intAttr("q_num_heads", 0));
    assertEquals(0.5f, att.floatAttr("scale", 0), 0f);
    assertEquals(m.graph().outputs().getFirst().name(), r.model().graph().outputs().getFirst().name());
    assertClose(run(m, 3), run(r.model(), 3));
  }

  @Test
  void unscaledAttentionWithoutMaskKeepsScaleOne() {
    Model m = attention(23, 1f, false, false);
    Optimizer.Result r = optimize(m, new FuseAttention());
    assertEquals(List.of("MatMul", "MatMul", "MatMul", "Attention"), ops(r.model()));
    assertEquals(1f, r.model().graph().nodes().getLast().floatAttr("scale", 0), 0f);
    assertClose(run(m, 4), run(r.model(), 4));
  }

  @Test
  void nearMissesAreRefusedWithAReason() {
    Optimizer.Result old = optimize(attention(22, 2f, true, false), new FuseAttention());
    assertTrue(ops(old.model()).contains("Softmax"));
    assertTrue(explanations(old).contains("Attention needs opset 23 (model has 22"), explanations(old));
    Optimizer.Result shared = optimize(attention(23, 2f, true, true), new FuseAttention());
    assertTrue(ops(shared.model()).contains("Softmax"));
    assertTrue(explanations(shared).contains("Q·Kᵀ") || explanations(shared).contains("scaled"), explanations(shared));
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL * Math.max(1, Math.abs(expected[i])), "element " + i);
    }
  }
}
