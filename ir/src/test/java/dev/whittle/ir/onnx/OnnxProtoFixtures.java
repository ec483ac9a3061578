package dev.whittle.ir.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Small hand-built protos for reader/writer tests. */
final class OnnxProtoFixtures {
  private OnnxProtoFixtures() {}

  static ValueInfoProto floatInfo(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)))
        .build();
  }

  /** y = x + w with w an initializer built by the caller. */
  static ModelProto addModel(TensorProto w) {
    GraphProto g = GraphProto.newBuilder().setName("g")
        .addInput(floatInfo("x", w.getDimsList().stream().mapToLong(Long::longValue).toArray()))
        .addInitializer(w)
        .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("x").addInput(w.getName()).addOutput("y"))
        .addOutput(floatInfo("y", w.getDimsList().stream().mapToLong(Long::longValue).toArray()))
        .build();
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(g).build();
  }
}
