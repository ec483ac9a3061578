package dev.whittle.runtime.ops.control;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.runtime.InferenceContext;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.RunContext;
import dev.whittle.runtime.SubgraphPlan;
import dev.whittle.runtime.ops.Shapes;
import dev.whittle.runtime.ops.tensor.LayoutOps;
import java.util.ArrayList;
import java.util.List;

/**
 * Scan: runs the body once per position along the scan axis of the scan inputs, threading N state
 * values and stacking K scan outputs. Opset 8's form has a leading batch dimension on everything
 * and is run per batch entry.
 */
public final class ScanOp {
  private ScanOp() {}

  public static Kernel create(NodeContext ctx) {
    SubgraphPlan body = ctx.subgraph("body");
    int m = (int) ctx.requireAttr("num_scan_inputs").i();
    boolean batched = ctx.opset() < 9;
    long[] inDirections = ctx.attrInts(batched ? "directions" : "scan_input_directions", new long[m]);
    long[] inAxes = ctx.attrInts("scan_input_axes", new long[m]);
    int first = batched ? 1 : 0;
    return (in, rc) -> {
      int n = in.length - first - m;
      int k = body.outputCount() - n;
      long[] outDirections = ctx.attrInts("scan_output_directions", new long[k]);
      long[] outAxes = ctx.attrInts("scan_output_axes", new long[k]);
      if (!batched) {
        Object[] states = java.util.Arrays.copyOfRange(in, 0, n);
        Object[] scans = java.util.Arrays.copyOfRange(in, n, n + m);
        return scan(rc, body, states, scans, inDirections, inAxes, outDirections, outAxes);
      }
      // Opset 8: slice every state and scan input along the batch axis, scan each, stack the results.
      long batch = ((Tensor) in[first]).dim(0);
      List<List<Tensor>> perOutput = new ArrayList<>();
      for (int o = 0; o < n + k; o++) {
        perOutput.add(new ArrayList<>());
      }
      for (long b = 0; b < batch; b++) {
        Object[] states = new Object[n];
        Object[] scans = new Object[m];
        for (int i = 0; i < n; i++) {
          states[i] = take((Tensor) in[first + i], 0, b);
        }
        for (int i = 0; i < m; i++) {
          scans[i] = take((Tensor) in[first + n + i], 0, b);
        }
        Object[] out = scan(rc, body, states, scans, inDirections, new long[m], new long[k], new long[k]);
        for (int o = 0; o < n + k; o++) {
          perOutput.get(o).add((Tensor) out[o]);
        }
      }
      Object[] result = new Object[n + k];
      for (int o = 0; o < n + k; o++) {
        result[o] = stackAlong(perOutput.get(o), 0);
      }
      return result;
    };
  }

  private static Object[] scan(RunContext rc, SubgraphPlan body, Object[] states, Object[] scans, long[] inDirections,
      long[] inAxes, long[] outDirections, long[] outAxes) {
    int n = states.length;
    int m = scans.length;
    int k = body.outputCount() - n;
    int[] axes = new int[m];
    long length = 0;
    for (int i = 0; i < m; i++) {
      Tensor t = (Tensor) scans[i];
      axes[i] = Shapes.axis(inAxes[i], t.rank());
      length = t.dim(axes[i]);
    }
    Object[] state = states.clone();
    List<List<Tensor>> outputs = new ArrayList<>();
    for (int o = 0; o < k; o++) {
      outputs.add(new ArrayList<>());
    }
    for (long t = 0; t < length; t++) {
      Object[] args = new Object[n + m];
      System.arraycopy(state, 0, args, 0, n);
      for (int i = 0; i < m; i++) {
        long pos = inDirections[i] == 1 ? length - 1 - t : t;
        args[n + i] = take((Tensor) scans[i], axes[i], pos);
      }
      Object[] out = rc.run(body, args);
      System.arraycopy(out, 0, state, 0, n);
      for (int o = 0; o < k; o++) {
        outputs.get(o).add((Tensor) out[n + o]);
      }
    }
    Object[] result = new Object[n + k];
    System.arraycopy(state, 0, result, 0, n);
    for (int o = 0; o < k; o++) {
      List<Tensor> items = outputs.get(o);
      if (outDirections[o] == 1) {
        java.util.Collections.reverse(items);
      }
      int rank = items.isEmpty() ? 1 : items.get(0).rank() + 1;
      result[n + o] = stackAlong(items, Shapes.axis(outAxes[o], rank));
    }
    return result;
  }

  /** The slice at {@code pos} along {@code axis}, with that axis removed. */
  private static Tensor take(Tensor t, int axis, long pos) {
    Tensor s = LayoutOps.slice(t, new long[] {pos}, new long[] {pos + 1}, new long[] {axis}, null);
    long[] d = new long[t.rank() - 1];
    for (int i = 0, j = 0; i < t.rank(); i++) {
      if (i != axis) {
        d[j++] = t.dim(i);
      }
    }
    return s.reshaped(d);
  }

  private static Tensor stackAlong(List<Tensor> items, int axis) {
    return SequenceOps.concat(items.toArray(), axis, true);
  }

  public static List<Type> infer(InferenceContext ctx) {
    return java.util.Collections.nCopies(ctx.outputCount(), null);
  }
}
