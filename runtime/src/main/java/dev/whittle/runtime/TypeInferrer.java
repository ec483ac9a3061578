package dev.whittle.runtime;

import dev.whittle.ir.Type;
import java.util.List;

/**
 * Shape and type inference for one op: given the node (attributes, constant inputs) and the types
 * of its inputs (null when unknown), the types of its outputs (null entries when unknown).
 */
@FunctionalInterface
public interface TypeInferrer {
  List<Type> infer(InferenceContext ctx);
}
