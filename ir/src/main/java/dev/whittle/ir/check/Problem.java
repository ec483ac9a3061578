package dev.whittle.ir.check;

/**
 * One structural problem found by {@link ModelChecker}.
 *
 * @param severity ERROR (the model is invalid) or WARNING (unusual but loadable)
 * @param code short kebab-case kind, e.g. {@code undefined-input}
 * @param graph path of the graph, e.g. {@code main} or {@code main/If_0.then_branch}
 * @param node the node's label ({@code 'name' (Op)}), or null
 * @param message what is wrong, naming the values involved
 */
public record Problem(Severity severity, String code, String graph, String node, String message) {
  public enum Severity { ERROR, WARNING }

  @Override
  public String toString() {
    return severity + " [" + code + "] " + graph + (node == null ? "" : ", node " + node) + ": " + message;
  }
}
