package dev.whittle.runtime.ops.tensor;

import dev.whittle.ir.Tensor;
import dev.whittle.ir.WhittleException;
import dev.whittle.runtime.Kernel;
import dev.whittle.runtime.NodeContext;
import dev.whittle.runtime.ops.Casts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Einsum by its definition: every output element is the sum, over all values of the letters that
 * do not appear in the output, of the product of the addressed input elements. Ellipses stand for
 * broadcast dimensions; without "->" the output takes the letters used once, alphabetically.
 */
final class EinsumOp {
  private EinsumOp() {}

  static Kernel create(NodeContext ctx) {
    String equation = ctx.requireAttr("equation").s().replace(" ", "");
    return (in, rc) -> {
      Tensor[] xs = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        xs[i] = (Tensor) in[i];
      }
      return new Object[] {einsum(equation, xs)};
    };
  }

  static Tensor einsum(String equation, Tensor[] xs) {
    String[] sides = equation.split("->", -1);
    String[] terms = sides[0].split(",", -1);
    if (terms.length != xs.length) {
      throw WhittleException.builder("Einsum equation and inputs differ").expected(terms.length + " inputs").found(Integer.toString(xs.length)).build();
    }
    int ellipsisRank = 0;
    for (int i = 0; i < terms.length; i++) {
      if (terms[i].contains("...")) {
        ellipsisRank = Math.max(ellipsisRank, xs[i].rank() - (terms[i].length() - 3));
      }
    }
    // Ellipsis dims become the upper-case letters A, B, ... (equations use lower case).
    StringBuilder ell = new StringBuilder();
    for (int i = 0; i < ellipsisRank; i++) {
      ell.append((char) ('A' + i));
    }
    Map<Character, Long> sizes = new LinkedHashMap<>();
    List<String> expanded = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      String t = terms[i];
      if (t.contains("...")) {
        int own = xs[i].rank() - (t.length() - 3);
        t = t.replace("...", ell.substring(ellipsisRank - own));
      }
      expanded.add(t);
      for (int j = 0; j < t.length(); j++) {
        long dim = xs[i].dim(j);
        Long prev = sizes.get(t.charAt(j));
        if (prev == null || prev == 1) {
          sizes.put(t.charAt(j), dim);
        }
      }
    }
    String out;
    if (sides.length > 1) {
      out = sides[1].replace("...", ell);
    } else {
      StringBuilder b = new StringBuilder(ell);
      sizes.keySet().stream().filter(c -> Character.isLowerCase(c)
          && String.join("", expanded).chars().filter(x -> x == c).count() == 1).sorted().forEach(b::append);
      out = b.toString();
    }
    List<Character> letters = new ArrayList<>(sizes.keySet());
    int n = letters.size();
    long[] dims = new long[out.length()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = sizes.get(out.charAt(i));
    }
    double[][] values = new double[xs.length][];
    int[][] strides = new int[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      values[i] = Casts.toDoubles(xs[i]);
      int[] s = new int[n];
      int[] own = dev.whittle.runtime.ops.Shapes.strides(xs[i].dims());
      String t = expanded.get(i);
      for (int j = 0; j < t.length(); j++) {
        if (xs[i].dim(j) != 1) {
          s[letters.indexOf(t.charAt(j))] += own[j];
        }
      }
      strides[i] = s;
    }
    int[] outStride = new int[n];
    int[] os = dev.whittle.runtime.ops.Shapes.strides(dims);
    for (int j = 0; j < out.length(); j++) {
      outStride[letters.indexOf(out.charAt(j))] += os[j];
    }
    double[] y = new double[(int) Tensor.elementCount(dims)];
    int[] idx = new int[n];
    long total = 1;
    for (char c : letters) {
      total *= sizes.get(c);
    }
    for (long t = 0; t < total; t++) {
      double prod = 1;
      for (int i = 0; i < xs.length; i++) {
        int off = 0;
        for (int j = 0; j < n; j++) {
          off += idx[j] * strides[i][j];
        }
        prod *= values[i][off];
      }
      int o = 0;
      for (int j = 0; j < n; j++) {
        o += idx[j] * outStride[j];
      }
      y[o] += prod;
      for (int j = n - 1; j >= 0; j--) {
        if (++idx[j] < sizes.get(letters.get(j))) {
          break;
        }
        idx[j] = 0;
      }
    }
    return Casts.fromDoubles(xs[0].dtype(), dims, y);
  }
}
