package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.testing.TestAssets;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
  @Test
  void miniLmHas637NodesAnd22_57MillionParameters() {
    CliRun r = CliRun.of("inspect", TestAssets.fetchedModel("minilm/all-minilm-l6-v2.onnx").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("Nodes:      637 in the main graph"), r.out());
    // 30522x384 word + 512x384 position + 2x384 type embeddings, 6 encoder layers; no pooler in the graph.
    assertTrue(r.out().contains("Parameters: 22,566,034"), r.out());
    assertTrue(r.out().contains("Validation: no problems found"), r.out());
  }

  @Test
  void sileroV5CountsIfNodesAndTheirSubgraphs() {
    CliRun r = CliRun.of("inspect", "--json", TestAssets.shared().resolve("models/audio/silero-vad/silero_vad_v5.onnx").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("\"If\": 25"), r.out());
    assertTrue(r.out().contains("\"subgraphs\": 50"), r.out());
    assertTrue(r.out().contains("\"nodes\": 5,"), r.out());
    assertTrue(r.out().contains("\"nodes_with_subgraphs\": 689"), r.out());
  }
}
