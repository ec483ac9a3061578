package dev.whittle.ir.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.ir.Attribute;
import dev.whittle.ir.DType;
import dev.whittle.ir.Graph;
import dev.whittle.ir.Model;
import dev.whittle.ir.Node;
import dev.whittle.ir.Tensor;
import dev.whittle.ir.Type;
import dev.whittle.ir.Value;
import dev.whittle.ir.WhittleException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCheckerTest {

  /** x -> Relu(name r) -> y, opset 17, IR 8: valid. */
  private static Model valid() {
    Graph g = new Graph("main");
    Value x = g.newValue("x", Type.tensor(DType.FLOAT, 2));
    g.addInput(x);
    Node relu = g.addNode(new Node("Relu", "", "r"));
    relu.addInput(x);
    Value y = g.newValue("y");
    relu.addOutput(y);
    g.addOutput(y);
    Model m = new Model(g);
    m.setIrVersion(8);
    m.opsetImports().put("", 17L);
    return m;
  }

  private static List<String> codes(Model m) {
    return ModelChecker.check(m).stream().map(Problem::code).toList();
  }

  @Test
  void validModelHasNoProblems() {
    assertEquals(List.of(), codes(valid()));
  }

  @Test
  void undefinedInputIsReportedWithNodeName() {
    Model m = valid();
    Node add = m.graph().addNode(new Node("Add", "", "adder"));
    add.addInput(m.graph().value("y"));
    add.addInput(m.graph().newValue("nowhere"));
    add.addOutput(m.graph().newValue("z"));
    List<Problem> problems = ModelChecker.check(m);
    assertEquals(1, problems.size(), problems.toString());
    Problem p = problems.get(0);
    assertEquals("undefined-input", p.code());
    assertTrue(p.node().contains("'adder'") && p.message().contains("'nowhere'"), p.toString());
  }

  @Test
  void missingOpsetImportIsReported() {
    Model m = valid();
    Node custom = m.graph().addNode(new Node("Fancy", "com.example", "f"));
    custom.addInput(m.graph().value("y"));
    custom.addOutput(m.graph().newValue("z"));
    assertEquals(List.of("missing-opset-import"), codes(m));
    m.opsetImports().put("com.example", 1L);
    assertEquals(List.of(), codes(m));
  }

  @Test
  void cycleIsAnError() {
    Model m = valid();
    Graph g = m.graph();
    Value a = g.newValue("a");
    Value b = g.newValue("b");
    Node n1 = g.addNode(new Node("Neg", "", "n1"));
    n1.addInput(b);
    n1.addOutput(a);
    Node n2 = g.addNode(new Node("Neg", "", "n2"));
    n2.addInput(a);
    n2.addOutput(b);
    assertTrue(codes(m).contains("cycle"), codes(m).toString());
  }

  @Test
  void unsortedNodesAreOnlyAWarning() {
    Model m = valid();
    Graph g = m.graph();
    Value y = g.value("y");
    Node neg = new Node("Neg", "", "first-in-list");
    neg.addInput(y);
    neg.addOutput(g.newValue("z"));
    g.insertBefore(y.producer(), neg);
    List<Problem> problems = ModelChecker.check(m);
    assertEquals(List.of("unsorted-nodes"), problems.stream().map(Problem::code).toList());
    assertEquals(Problem.Severity.WARNING, problems.get(0).severity());
  }

  @Test
  void oldIrVersionsNeedInitializersAsInputs() {
    Model m = valid();
    m.graph().addInitializer("w", Tensor.ofFloats(new long[] {2}, 1f, 2f));
    assertEquals(List.of(), codes(m));
    m.setIrVersion(3);
    assertEquals(List.of("initializer-not-input"), codes(m));
    m.graph().addInput(m.graph().value("w"));
    assertEquals(List.of(), codes(m));
  }

  @Test
  void initializerMustMatchItsDeclaredType() {
    Model m = valid();
    Value w = m.graph().addInitializer("w", Tensor.ofFloats(new long[] {2}, 1f, 2f));
    w.setType(Type.tensor(DType.FLOAT, 3));
    assertEquals(List.of("initializer-type-mismatch"), codes(m));
  }

  /** If whose then-branch redefines the outer name "y" and reads a value of its sibling branch. */
  @Test
  void subgraphShadowingAndOutOfScopeReferences() {
    Model m = valid();
    Graph g = m.graph();
    Value cond = g.newValue("cond", Type.tensor(DType.BOOL));
    g.addInput(cond);
    Node iff = g.addNode(new Node("If", "", "if"));
    iff.addInput(cond);
    iff.addOutput(g.newValue("out"));
    Graph elseBranch = Graph.subgraphOf(iff, "else");
    Node k = elseBranch.addNode(new Node("Constant", "", "k"));
    Value kv = elseBranch.newValue("k");
    k.addOutput(kv);
    elseBranch.addOutput(kv);
    Graph thenBranch = Graph.subgraphOf(iff, "then");
    Node shadow = thenBranch.addNode(new Node("Identity", "", "shadow"));
    shadow.addInput(kv);
    Value y2 = thenBranch.newValue("y");
    shadow.addOutput(y2);
    thenBranch.addOutput(y2);
    iff.setAttribute(Attribute.of("then_branch", thenBranch));
    iff.setAttribute(Attribute.of("else_branch", elseBranch));
    List<String> codes = codes(m);
    assertTrue(codes.contains("shadowed-name"), codes.toString());
    assertTrue(codes.contains("out-of-scope-reference"), codes.toString());
  }

  @Test
  void ifBranchesMustMatchTheNodesOutputs() {
    Model m = valid();
    Graph g = m.graph();
    Node iff = g.addNode(new Node("If", "", "if"));
    iff.addInput(g.value("y"));
    iff.addOutput(g.newValue("o1"));
    iff.addOutput(g.newValue("o2"));
    for (String branch : List.of("then_branch", "else_branch")) {
      Graph b = Graph.subgraphOf(iff, branch);
      b.addOutput(g.value("y"));
      iff.setAttribute(Attribute.of(branch, b));
    }
    assertEquals(List.of("subgraph-arity", "subgraph-arity"), codes(m));
  }

  @Test
  void requireValidListsAllErrorsInOneException() {
    Model m = valid();
    m.opsetImports().clear();
    Node add = m.graph().addNode(new Node("Add", "", "adder"));
    add.addInput(m.graph().newValue("nowhere"));
    add.addOutput(m.graph().newValue("z"));
    WhittleException e = assertThrows(WhittleException.class, () -> ModelChecker.requireValid(m));
    assertTrue(e.getMessage().contains("undefined-input") && e.getMessage().contains("missing-opset-import"), e.getMessage());
  }
}
