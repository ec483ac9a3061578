package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Dim;
import dev.whittle.ir.Shape;
import dev.whittle.ir.SparseTensor;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.OpRegistry;
import dev.whittle.runtime.ops.Inference;
import dev.whittle.runtime.ops.Shapes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Constant, ConstantOfShape, Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Expand. */
public final class ShapeOps {
  private ShapeOps() {}

  public static void register(OpRegistry r) {
    r.register("Constant", ctx -> {
      Tensor value = constantValue(ctx);
      return (in, rc) -> new Object[] {value};
    }, ctx -> {
      Tensor t = constantValueForInference(ctx);
      if (t != null && t.elementCount() <= 4096) {
        ctx.setOutputValue(0, t);
      }
      return java.util.Collections.singletonList(t == null ? null : t.type());
    });
    r.register("ConstantOfShape", ctx -> {
      Tensor value = ctx.attrTensor("value");
      Tensor fill = value != null ? value : Tensor.ofFloats(new long[] {1}, 0f);
      return (in, rc) -> new Object[] {Elements.fill(fill, Elements.longs((Tensor) in[0]))};
    }, ctx -> {
      Tensor value = ctx.attr("value") == null ? null : ctx.attr("value").t();
      DType dt = value == null ? DType.FLOAT : value.dtype();
      Tensor shape = ctx.constantInput(0);
      int rank = shapeLength(ctx, 0);
      return List.of(new Type.TensorType(dt, shape != null ? Shape.of(Elements.longs(shape))
          : rank >= 0 ? Shape.of(LayoutInference.unknownDims(rank)) : Shape.unknownRank()));
    });
    r.register("Shape", ctx -> {
      long start = ctx.attrInt("start", 0);
      Long end = ctx.hasAttr("end") ? ctx.attrInt("end", 0) : null;
      return (in, rc) -> {
        long[] dims = ((Tensor) in[0]).dims();
        int[] range = shapeRange(dims.length, start, end);
        return new Object[] {Tensor.wrapLongs(new long[] {range[1] - range[0]}, Arrays.copyOfRange(dims, range[0], range[1]))};
      };
    }, ShapeOps::inferShape);
    r.register("Size", ctx -> (in, rc) -> new Object[] {Tensor.scalar(((Tensor) in[0]).elementCount())}, ctx -> {
      if (ctx.inputType(0) instanceof Type.TensorType t && t.shape().isStatic()) {
        ctx.setOutputValue(0, Tensor.scalar(Tensor.elementCount(t.shape().toArray())));
      }
      return List.of(new Type.TensorType(DType.INT64, Shape.of()));
    });
    r.register("Reshape", ctx -> {
      long[] attrShape = ctx.opset() < 5 ? ctx.attrInts("shape", null) : null;
      boolean allowZero = ctx.attrInt("allowzero", 0) != 0;
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] target = attrShape != null ? attrShape : Elements.longs((Tensor) in[1]);
        return new Object[] {reshape(x, reshapeDims(x.dims(), target, allowZero))};
      };
    }, ShapeOps::inferReshape);
    r.register("Flatten", ctx -> {
      long axisAttr = ctx.attrInt("axis", 1);
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        return new Object[] {reshape(x, flatten(x.dims(), axisAttr))};
      };
    }, ctx -> {
      if (ctx.inputType(0) instanceof Type.TensorType t && t.shape().isStatic()) {
        return List.of(new Type.TensorType(t.elementType(), Shape.of(flatten(t.shape().toArray(), ctx.attrInt("axis", 1)))));
      }
      return List.of(new Type.TensorType(Inference.elementType(ctx.inputType(0)), Shape.unknownRank()));
    });
    r.register("Squeeze", ctx -> {
      long[] attrAxes = ctx.opset() < 13 ? ctx.attrInts("axes", null) : null;
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] axes = attrAxes != null ? attrAxes : in.length > 1 && in[1] != null ? Elements.longs((Tensor) in[1]) : null;
        return new Object[] {reshape(x, squeeze(x.dims(), axes))};
      };
    }, ctx -> inferAxesOp(ctx, true));
    r.register("Unsqueeze", ctx -> {
      long[] attrAxes = ctx.opset() < 13 ? ctx.attrInts("axes", null) : null;
      return (in, rc) -> {
        Tensor x = (Tensor) in[0];
        long[] axes = attrAxes != null ? attrAxes : Elements.longs((Tensor) in[1]);
        return new Object[] {reshape(x, unsqueeze(x.dims(), axes))};
      };
    }, ctx -> inferAxesOp(ctx, false));
    r.register("Expand", ctx -> (in, rc) -> {
      Tensor x = (Tensor) in[0];
      long[] out = Shapes.broadcast(x.dims(), Elements.longs((Tensor) in[1]));
      return new Object[] {Elements.select(x, Shapes.broadcastIndex(x.dims(), out), out)};
    }, ctx -> {
      Tensor shape = ctx.constantInput(1);
      DType dt = Inference.elementType(ctx.inputType(0));
      if (shape != null && ctx.inputType(0) instanceof Type.TensorType t && t.shape().hasRank()) {
        return List.of(new Type.TensorType(dt, Inference.broadcast(List.of(t.shape(), Shape.of(Elements.longs(shape))))));
      }
      int rank = shapeLength(ctx, 1);
      if (dt == null || rank < 0 || !(ctx.inputType(0) instanceof Type.TensorType t) || !t.shape().hasRank()) {
        return java.util.Collections.singletonList(dt == null ? null : new Type.TensorType(dt, Shape.unknownRank()));
      }
      // A dim of the input other than 1 survives broadcasting; the others come from the unknown shape.
      List<Dim> in = t.shape().dims();
      List<Dim> out = LayoutInference.unknownDims(Math.max(rank, in.size()));
      for (int i = 0; i < in.size(); i++) {
        Dim d = in.get(i);
        if (d.isFixed() && d.value() != 1) {
          out.set(out.size() - in.size() + i, d);
        }
      }
      return List.of(new Type.TensorType(dt, Shape.of(out)));
    });
  }

  /** The element count of 1-D input {@code i} (a shape) when it is fixed, else -1. */
  private static int shapeLength(InferenceContext ctx, int i) {
    if (ctx.inputType(i) instanceof Type.TensorType t && t.shape().hasRank() && t.shape().rank() == 1 && t.shape().dim(0).isFixed()) {
      return (int) t.shape().dim(0).value();
    }
    return -1;
  }

  /** Same data, new dims (element count must match). */
  static Tensor reshape(Tensor x, long[] dims) {
    if (Tensor.elementCount(dims) != x.elementCount()) {
      throw dev.whittle.ir.WhittleException.builder("cannot reshape")
          .expected(x.elementCount() + " elements").found(Shape.format(dims)).build();
    }
    return x.reshaped(dims);
  }

  static long[] reshapeDims(long[] in, long[] target, boolean allowZero) {
    long[] out = target.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0 && !allowZero) {
        out[i] = in[i];
      }
      if (out[i] == -1) {
        if (infer >= 0) {
          throw dev.whittle.ir.WhittleException.builder("Reshape target has two -1 dims").found(Shape.format(target)).build();
        }
        infer = i;
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      long total = Tensor.elementCount(in);
      out[infer] = known == 0 ? 0 : total / known;
    }
    return out;
  }

  static long[] flatten(long[] dims, long axisAttr) {
    int axis = (int) (axisAttr < 0 ? axisAttr + dims.length : axisAttr);
    long a = 1;
    long b = 1;
    for (int i = 0; i < dims.length; i++) {
      if (i < axis) {
        a *= dims[i];
      } else {
        b *= dims[i];
      }
    }
    return new long[] {a, b};
  }

  static long[] squeeze(long[] dims, long[] axes) {
    boolean[] drop = new boolean[dims.length];
    if (axes == null) {
      for (int i = 0; i < dims.length; i++) {
        drop[i] = dims[i] == 1;
      }
    } else {
      for (long a : axes) {
        int ax = Shapes.axis(a, dims.length);
        if (dims[ax] != 1) {
          throw dev.whittle.ir.WhittleException.builder("cannot squeeze a dimension that is not 1")
              .found("dim " + ax + " of " + Shape.format(dims)).build();
        }
        drop[ax] = true;
      }
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < dims.length; i++) {
      if (!drop[i]) {
        out.add(dims[i]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static long[] unsqueeze(long[] dims, long[] axes) {
    int rank = dims.length + axes.length;
    boolean[] inserted = new boolean[rank];
    for (long a : axes) {
      inserted[Shapes.axis(a, rank)] = true;
    }
    long[] out = new long[rank];
    int j = 0;
    for (int i = 0; i < rank; i++) {
      out[i] = inserted[i] ? 1 : dims[j++];
    }
    return out;
  }

  static int[] shapeRange(int rank, long start, Long end) {
    long s = start < 0 ? start + rank : start;
    long e = end == null ? rank : end < 0 ? end + rank : end;
    s = Math.max(0, Math.min(rank, s));
    e = Math.max(s, Math.min(rank, e));
    return new int[] {(int) s, (int) e};
  }

  private static List<Type> inferShape(InferenceContext ctx) {
    Type in = ctx.inputType(0);
    if (!(in instanceof Type.TensorType t) || !t.shape().hasRank()) {
      return List.of(new Type.TensorType(DType.INT64, Shape.of(List.of(Dim.unknown()))));
    }
    int[] range = shapeRange(t.shape().rank(), ctx.attrInt("start", 0), ctx.attr("end") == null ? null : ctx.attrInt("end", 0));
    List<Dim> dims = t.shape().dims().subList(range[0], range[1]);
    if (dims.stream().allMatch(Dim::isFixed)) {
      ctx.setOutputValue(0, Tensor.wrapLongs(new long[] {dims.size()}, dims.stream().mapToLong(Dim::value).toArray()));
    }
    return List.of(Type.tensor(DType.INT64, range[1] - range[0]));
  }

  private static List<Type> inferReshape(InferenceContext ctx) {
    DType dt = Inference.elementType(ctx.inputType(0));
    Tensor shape = ctx.opset() < 5 ? null : ctx.constantInput(1);
    long[] target = ctx.opset() < 5 ? ctx.attrInts("shape", null) : shape == null ? null : Elements.longs(shape);
    if (target == null) {
      int rank = ctx.opset() < 5 ? -1 : shapeLength(ctx, 1);
      if (rank == 1 && ctx.inputType(0) instanceof Type.TensorType t && t.shape().isStatic()) {
        return List.of(new Type.TensorType(dt, Shape.of(Tensor.elementCount(t.shape().toArray()))));
      }
      return java.util.Collections.singletonList(dt == null ? null
          : new Type.TensorType(dt, rank >= 0 ? Shape.of(LayoutInference.unknownDims(rank)) : Shape.unknownRank()));
    }
    if (ctx.inputType(0) instanceof Type.TensorType t && t.shape().isStatic()) {
      return List.of(new Type.TensorType(dt, Shape.of(reshapeDims(t.shape().toArray(), target, ctx.attrInt("allowzero", 0) != 0))));
    }
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < target.length; i++) {
      long d = target[i];
      if (d > 0) {
        dims.add(Dim.of(d));
      } else if (d == 0 && ctx.inputType(0) instanceof Type.TensorType t && t.shape().hasRank() && i < t.shape().rank()) {
        dims.add(t.shape().dim(i));
      } else {
        dims.add(Dim.unknown());
      }
    }
    return List.of(new Type.TensorType(dt, Shape.of(dims)));
  }

  private static List<Type> inferAxesOp(InferenceContext ctx, boolean squeeze) {
    DType dt = Inference.elementType(ctx.inputType(0));
    long[] axes = ctx.opset() < 13 ? ctx.attrInts("axes", null) : ctx.constantInput(1) == null ? null : Elements.longs(ctx.constantInput(1));
    boolean axesUnknown = axes == null && (!squeeze || (ctx.opset() >= 13 && ctx.hasInput(1)));
    int axesCount = shapeLength(ctx, 1);
    if (axesUnknown && axesCount >= 0 && ctx.inputType(0) instanceof Type.TensorType t && t.shape().hasRank()) {
      // Axes not known, their number is: the rank is.
      int rank = t.shape().rank() + (squeeze ? -axesCount : axesCount);
      return List.of(new Type.TensorType(dt, Shape.of(LayoutInference.unknownDims(Math.max(rank, 0)))));
    }
    if (!(ctx.inputType(0) instanceof Type.TensorType t) || !t.shape().hasRank() || axesUnknown
        || (axes == null && !t.shape().isStatic())) {
      return java.util.Collections.singletonList(dt == null ? null : new Type.TensorType(dt, Shape.unknownRank()));
    }
    List<Dim> in = t.shape().dims();
    List<Dim> out = new ArrayList<>();
    if (squeeze) {
      boolean[] drop = new boolean[in.size()];
      if (axes == null) {
        for (int i = 0; i < drop.length; i++) {
          drop[i] = in.get(i).value() == 1;
        }
      } else {
        for (long a : axes) {
          drop[Shapes.axis(a, in.size())] = true;
        }
      }
      for (int i = 0; i < in.size(); i++) {
        if (!drop[i]) {
          out.add(in.get(i));
        }
      }
    } else {
      int rank = in.size() + axes.length;
      boolean[] inserted = new boolean[rank];
      for (long a : axes) {
        inserted[Shapes.axis(a, rank)] = true;
      }
      int j = 0;
      for (int i = 0; i < rank; i++) {
        out.add(inserted[i] ? Dim.of(1) : in.get(j++));
      }
    }
    return List.of(new Type.TensorType(dt, Shape.of(out)));
  }

  /** The value of a Constant node from whichever value_* attribute it carries. */
  static Tensor constantValue(NodeContext ctx) {
    Tensor t = fromAttributes(ctx.node().attributes().values());
    if (t == null) {
      throw ctx.error("Constant has no value attribute").expected("value, sparse_value or value_*").build();
    }
    return t;
  }

  private static Tensor constantValueForInference(InferenceContext ctx) {
    return fromAttributes(ctx.node().attributes().values());
  }

  private static Tensor fromAttributes(java.util.Collection<Attribute> attrs) {
    for (Attribute a : attrs) {
      if (a.value() == null) {
        continue;
      }
      switch (a.name()) {
        case "value":
          return a.t();
        case "sparse_value":
          return densify(a.sparseTensor());
        case "value_float":
          return Tensor.scalar(a.f());
        case "value_floats":
          float[] f = a.floats();
          return Tensor.ofFloats(new long[] {f.length}, f);
        case "value_int":
          return Tensor.scalar(a.i());
        case "value_ints":
          long[] l = a.ints();
          return Tensor.ofLongs(new long[] {l.length}, l);
        case "value_string":
          return Tensor.ofStrings(new long[0], List.of(a.s().getBytes(StandardCharsets.UTF_8)));
        case "value_strings":
          List<byte[]> s = new ArrayList<>();
          a.strings().forEach(x -> s.add(x.getBytes(StandardCharsets.UTF_8)));
          return Tensor.ofStrings(new long[] {s.size()}, s);
        default:
          break;
      }
    }
    return null;
  }

  /**
   * A dense tensor from a sparse one (indices linear [NNZ] or coordinates [NNZ, rank]); elements
   * are moved, not converted, so every element type keeps its exact values. Also used for the sparse
   * initializers of a graph.
   */
  public static Tensor densify(SparseTensor s) {
    long[] dims = s.dims();
    int n = Math.toIntExact(Tensor.elementCount(dims));
    long[] idx = Elements.longs(s.indices());
    Tensor values = s.values();
    int nnz = (int) values.elementCount();
    int rank = dims.length;
    int[] strides = Shapes.strides(dims);
    boolean coordinates = s.indices().rank() == 2;
    // Source index nnz is the zero appended after the values.
    int[] src = new int[n];
    Arrays.fill(src, nnz);
    for (int k = 0; k < nnz; k++) {
      long pos = 0;
      if (coordinates) {
        for (int d = 0; d < rank; d++) {
          pos += idx[k * rank + d] * strides[d];
        }
      } else {
        pos = idx[k];
      }
      src[Math.toIntExact(pos)] = k;
    }
    Tensor zero = Elements.zero(values.dtype());
    Tensor both = LayoutOps.concat(new Object[] {values.reshaped(new long[] {nnz}), zero}, 0);
    return Elements.select(both, src, dims);
  }
}
