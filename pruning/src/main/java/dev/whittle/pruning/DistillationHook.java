package dev.whittle.pruning;

import dev.whittle.ir.DType;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import dev.whittle.pruning.training.Tape;
import dev.whittle.pruning.training.TrainableGraph;
import dev.whittle.runtime.RunOptions;
import dev.whittle.runtime.Session;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Retraining by gradient distillation from the ORIGINAL model: the original (the teacher, run in
 * Whittle's runtime) gives targets for every calibration input, and the pruned model (the student,
 * run by a {@link TrainableGraph}) learns them by minibatch Adam. Trained: every Conv/Gemm/MatMul
 * weight and its bias (Conv's B, Gemm's C, the constant of an Add right after a MatMul), pruned or
 * not, and every per-channel scale and shift (a decomposed LayerNorm's γ and β); gradients at
 * pruned positions are zeroed and pruned weights put back to exactly 0 after every update, so masks
 * stay enforced.
 *
 * <p>The loss compares the first graph output only (further outputs are not trained toward: the
 * first is the prediction in the models this targets). When that output is [rows, classes] logits it
 * is soft-target distillation, KL(softmax(t/uT) ‖ softmax(s/uT))·T², with T the temperature in units
 * of u, the teacher's logit spread on the calibration samples (mnist-8's logits are in the
 * thousands, as its inputs are 0-255 pixels: a temperature in raw logit units would mean nothing
 * across models). When the first output is a Softmax over the classes of [rows, classes], the loss
 * reads the logits feeding it (probabilities saturate). Any other float output: mean squared error.
 *
 * <p>Besides the calibration samples, every epoch adds {@link DistillationOptions#mixRatio()} times as
 * many mixed ones: λ·a + (1 − λ)·b of two calibration inputs, λ uniform in [0, 1], element-wise on
 * every (float32, same-dims) input; the teacher labels them too. Models with non-float inputs, or
 * whose first nodes the engine leaves out (a transformer's token embedding lookup: see
 * {@link TrainableGraph}; their values are computed per sample by Whittle's runtime on the pruned
 * model and fed to the student), get no mixes. Shuffling and mixing are seeded (seed and step), and
 * each minibatch's gradient is summed in a fixed order over {@value #CHUNKS} fixed slices computed
 * in parallel, so the same inputs give the same weights on every run.
 *
 * <p>Ops the student may contain: {@link TrainableGraph#SUPPORTED}; the constructor refuses others.
 */
public final class DistillationHook implements RetrainHook {
  /** Slices of a minibatch whose gradients are computed in parallel and summed in order. */
  static final int CHUNKS = 4;

  private final Model original;
  private final DistillationOptions options;
  private final String target;
  private List<Map<String, Tensor>> capturedFor;
  /** The teacher's target values for the calibration samples: they do not change between steps. */
  private List<float[]> teacherOutputs;

  public DistillationHook(Model original) {
    this(original, DistillationOptions.defaults());
  }

  /** @throws WhittleException when the original model has ops the student cannot train through */
  public DistillationHook(Model original, DistillationOptions options) {
    this.original = original;
    this.options = options;
    this.target = target(original);
    TrainableGraph.of(original, target, parameters(original));
  }

  /** The value the loss compares: the first output, or the logits feeding it when it is a final Softmax over classes. */
  static String target(Model m) {
    if (m.graph().outputs().isEmpty()) {
      throw WhittleException.builder("the model has no output to distill").expected("at least one graph output").build();
    }
    Value out = m.graph().outputs().getFirst();
    Node p = out.producer();
    if (p != null && p.is("Softmax") && p.isStandard() && out.tensorType() != null && out.tensorType().shape().hasRank()
        && out.tensorType().shape().rank() == 2 && p.intAttr("axis", 1) != 0 && p.intAttr("axis", 1) != -2) {
      return p.input(0).name();
    }
    return out.name();
  }

  /**
   * The trainable initializers of {@code m}: Conv/Gemm/MatMul weights and their biases, then the
   * per-channel scales and shifts ({@link #isAffine}).
   */
  static Set<String> parameters(Model m) {
    Set<String> out = new LinkedHashSet<>();
    for (PrunableLayer l : PrunableLayer.find(m)) {
      out.add(l.name());
      Node n = l.node();
      Value bias = n.is("Gemm") && n.inputs().size() > 2 && n.input(2) != null ? n.input(2) : LayerFit.bias(l);
      if (isTrainableFloat(bias)) {
        out.add(bias.name());
      }
    }
    for (Node n : m.graph().nodes()) {
      if (isAffine(n)) {
        n.inputs().stream().filter(DistillationHook::isTrainableFloat).forEach(v -> out.add(v.name()));
      }
    }
    return out;
  }

  /**
   * A Mul or Add of a computed value and a per-channel float constant: a LayerNorm's γ or β once
   * {@code optimize} has decomposed it, or a channel scale. Scalars (epsilons, exponents, an
   * attention mask's fill value) are structure, not parameters, and stay fixed, and so do tables
   * such as position embeddings.
   */
  private static boolean isAffine(Node n) {
    if (!n.isStandard() || !(n.is("Mul") || n.is("Add")) || n.inputs().size() != 2) {
      return false;
    }
    Value a = n.input(0);
    Value b = n.input(1);
    return a != null && b != null && (isPerChannel(a) && b.initializer() == null || isPerChannel(b) && a.initializer() == null);
  }

  /** A float constant with exactly one dimension above 1. */
  private static boolean isPerChannel(Value v) {
    return isTrainableFloat(v) && java.util.Arrays.stream(v.initializer().dims()).filter(d -> d > 1).count() == 1;
  }

  private static boolean isTrainableFloat(Value v) {
    return v != null && v.isInitializer() && !v.isGraphInput() && v.initializer().dtype() == DType.FLOAT;
  }

  @Override
  public Map<String, Tensor> retrain(Model pruned, Map<String, boolean[]> masks, int step, List<Map<String, Tensor>> calibration) {
    if (calibration.isEmpty()) {
      throw WhittleException.builder("distillation needs calibration inputs").expected("at least one sample").build();
    }
    TrainableGraph student = TrainableGraph.of(pruned, target, parameters(pruned));
    try (Session teacher = Session.open(original)) {
      if (capturedFor != calibration) {
        teacherOutputs = teach(teacher, calibration);
        capturedFor = calibration;
      }
      List<Map<String, Tensor>> feeds = withFrozenValues(pruned, student.frozenValues(), calibration);
      new Training(student, masks, teacher, feeds, feeds == calibration, new Random(options.seed() * 1_000_003L + step)).run();
    }
    Map<String, Tensor> updated = new LinkedHashMap<>();
    for (String name : student.parameters()) {
      updated.put(name, Tensor.ofFloats(pruned.graph().value(name).initializer().dims(), student.parameter(name).clone()));
    }
    return updated;
  }

  /**
   * The student's feeds: each sample's inputs plus the values of the nodes the engine leaves out
   * (computed by running the part of {@code pruned} that computes them in Whittle's runtime: no
   * trained weight reaches them), or {@code samples} itself when there are none.
   */
  private static List<Map<String, Tensor>> withFrozenValues(Model pruned, List<String> frozen, List<Map<String, Tensor>> samples) {
    if (frozen.isEmpty()) {
      return samples;
    }
    try (Session s = Session.open(LayerInputs.prefix(pruned, Set.copyOf(frozen)))) {
      return IntStream.range(0, samples.size()).parallel().mapToObj(i -> {
        Map<String, Tensor> feeds = new java.util.concurrent.ConcurrentHashMap<>(samples.get(i));
        Map<String, Object> out = s.runValues(samples.get(i), RunOptions.tap(Set.copyOf(frozen), feeds::put));
        for (String name : frozen) {
          if (!feeds.containsKey(name) && out.get(name) instanceof Tensor t) {
            feeds.put(name, t);
          }
        }
        return (Map<String, Tensor>) new LinkedHashMap<>(feeds);
      }).toList();
    }
  }

  /** The teacher's target values for {@code inputs} (in parallel: the session is thread-safe). */
  private List<float[]> teach(Session teacher, List<Map<String, Tensor>> inputs) {
    return IntStream.range(0, inputs.size()).parallel().mapToObj(i -> {
      Tensor[] seen = new Tensor[1];
      Map<String, Object> out = teacher.runValues(inputs.get(i), RunOptions.tap(Set.of(target), (n, t) -> seen[0] = t));
      Object v = out.containsKey(target) ? out.get(target) : seen[0];
      if (!(v instanceof Tensor t) || t.dtype() != DType.FLOAT) {
        throw WhittleException.builder("the teacher's '" + target + "' is not a float32 tensor").expected("float32").build();
      }
      return t.toFloatArray();
    }).toList();
  }

  /** One retrain call: epochs of shuffled minibatches of calibration and mixed samples. */
  private final class Training {
    private final TrainableGraph student;
    private final Map<String, boolean[]> masks;
    private final Session teacher;
    /** What the student reads per sample: the calibration inputs, with the values of nodes it leaves out. */
    private final List<Map<String, Tensor>> calibration;
    /** Whether the feeds are the model's inputs, which the teacher can label when mixed. */
    private final boolean graphInputs;
    private final Random random;
    private final List<String> params;
    private final List<Adam> adams = new ArrayList<>();
    private final Tape[] tapes = new Tape[CHUNKS];
    private DistillationLoss loss;

    Training(TrainableGraph student, Map<String, boolean[]> masks, Session teacher, List<Map<String, Tensor>> calibration,
        boolean graphInputs, Random random) {
      this.student = student;
      this.masks = masks;
      this.teacher = teacher;
      this.calibration = calibration;
      this.graphInputs = graphInputs;
      this.random = random;
      this.params = student.parameters();
      params.forEach(p -> adams.add(new Adam(student.parameter(p).length)));
      for (int c = 0; c < CHUNKS; c++) {
        tapes[c] = student.newTape();
      }
    }

    void run() {
      int[] dims = probe();
      int classes = dims[dims.length - 1];
      loss = new DistillationLoss(dims.length == 2, classes, options.temperature(),
          DistillationLoss.spread(teacherOutputs, classes));
      int mixes = mixable() ? (int) Math.round(options.mixRatio() * calibration.size()) : 0;
      int perEpoch = calibration.size() + mixes;
      int batches = Math.ceilDiv(perEpoch, options.batchSize());
      long total = (long) batches * options.epochs();
      long done = 0;
      for (int e = 0; e < options.epochs(); e++) {
        List<Map<String, Tensor>> inputs = new ArrayList<>(calibration);
        List<float[]> targets = new ArrayList<>(teacherOutputs);
        List<Map<String, Tensor>> mixed = mix(mixes);
        inputs.addAll(mixed);
        targets.addAll(teach(teacher, mixed));
        List<Integer> order = new ArrayList<>(IntStream.range(0, perEpoch).boxed().toList());
        Collections.shuffle(order, random);
        for (int b = 0; b < batches; b++) {
          List<Integer> batch = order.subList(b * options.batchSize(), Math.min(perEpoch, (b + 1) * options.batchSize()));
          update(batch, inputs, targets, options.learningRate() * 0.5 * (1 + Math.cos(Math.PI * done / total)));
          done++;
        }
      }
    }

    /** The target's dims on the first calibration sample. */
    private int[] probe() {
      student.forward(tapes[0], calibration.getFirst());
      return student.targetDims(tapes[0]);
    }

    /** Mixing needs the model's own inputs, every one float32 with the same dims in every sample. */
    private boolean mixable() {
      Map<String, Tensor> first = calibration.getFirst();
      return graphInputs && calibration.stream().allMatch(s -> s.keySet().equals(first.keySet()) && s.entrySet().stream().allMatch(e ->
          e.getValue().dtype() == DType.FLOAT && java.util.Arrays.equals(e.getValue().dims(), first.get(e.getKey()).dims())));
    }

    private List<Map<String, Tensor>> mix(int count) {
      List<Map<String, Tensor>> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Map<String, Tensor> a = calibration.get(random.nextInt(calibration.size()));
        Map<String, Tensor> b = calibration.get(random.nextInt(calibration.size()));
        float lambda = random.nextFloat();
        Map<String, Tensor> m = new LinkedHashMap<>();
        a.forEach((name, ta) -> {
          float[] x = ta.toFloatArray();
          float[] y = b.get(name).toFloatArray();
          for (int j = 0; j < x.length; j++) {
            x[j] = lambda * x[j] + (1 - lambda) * y[j];
          }
          m.put(name, Tensor.ofFloats(ta.dims(), x));
        });
        out.add(m);
      }
      return out;
    }

    /** One Adam update on the gradient of the mean loss over {@code batch}. */
    private void update(List<Integer> batch, List<Map<String, Tensor>> inputs, List<float[]> targets, double lr) {
      double scale = 1.0 / batch.size();
      IntStream.range(0, CHUNKS).parallel().forEach(c -> {
        Tape tape = tapes[c];
        tape.zeroGradients();
        for (int i = c * batch.size() / CHUNKS; i < (c + 1) * batch.size() / CHUNKS; i++) {
          int sample = batch.get(i);
          float[] s = student.forward(tape, inputs.get(sample));
          float[] grad = new float[s.length];
          loss.gradient(s, targets.get(sample), scale, grad);
          student.backward(tape, grad);
        }
      });
      for (int p = 0; p < params.size(); p++) {
        String name = params.get(p);
        float[] g = student.gradient(tapes[0], name).clone();
        for (int c = 1; c < CHUNKS; c++) {
          float[] gc = student.gradient(tapes[c], name);
          for (int i = 0; i < g.length; i++) {
            g[i] += gc[i];
          }
        }
        float[] w = student.parameter(name);
        boolean[] keep = masks.get(name);
        if (keep != null) {
          for (int i = 0; i < g.length; i++) {
            g[i] = keep[i] ? g[i] : 0f;
          }
        }
        adams.get(p).step(w, g, lr);
        if (keep != null) {
          for (int i = 0; i < w.length; i++) {
            w[i] = keep[i] ? w[i] : 0f;
          }
        }
      }
    }
  }
}
