package dev.whittle.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WhittleExceptionTest {
  @Test
  void namesTheNodeOrSaysItIsUnnamed() {
    assertEquals("node 'conv1' (Conv): bad kernel; expected 2 dims",
        WhittleException.builder("bad kernel").node("conv1", "Conv").expected("2 dims").build().getMessage());
    assertEquals("unnamed node (Concat): cannot train through this op",
        WhittleException.builder("cannot train through this op").node("", "Concat").build().getMessage());
    assertEquals("unnamed node (Concat): x", WhittleException.builder("x").node(null, "Concat").build().getMessage());
  }
}
