package dev.whittle.ir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one exception family of Whittle. Its message is meant for the user: it names the file, the
 * node (name, op type, opset), the input index, the pass that ran, and what was expected versus
 * found, so that nobody has to read a stack trace to know what went wrong.
 *
 * <p>Build one with {@link #builder(String)} and add whatever context is known; context can also be
 * added while the exception travels up ({@link #inFile(Path)}, {@link #inPass(String)}).
 */
public class WhittleException extends RuntimeException {
  private final String problem;
  private final Path file;
  private final String nodeName;
  private final String opType;
  private final Long opset;
  private final Integer inputIndex;
  private final String expected;
  private final String found;
  private final String pass;

  private WhittleException(Builder b, Throwable cause) {
    super(null, cause);
    this.problem = b.problem;
    this.file = b.file;
    this.nodeName = b.nodeName;
    this.opType = b.opType;
    this.opset = b.opset;
    this.inputIndex = b.inputIndex;
    this.expected = b.expected;
    this.found = b.found;
    this.pass = b.pass;
  }

  /** Shorthand for an exception with only a problem statement. */
  public WhittleException(String problem) {
    this(builder(problem), null);
  }

  public WhittleException(String problem, Throwable cause) {
    this(builder(problem), cause);
  }

  public static Builder builder(String problem) {
    return new Builder(problem);
  }

  /** A copy of this exception that also names the file, unless it already names one. */
  public WhittleException inFile(Path path) {
    if (file != null) {
      return this;
    }
    Builder b = toBuilder();
    b.file = path;
    return b.build(getCause());
  }

  /** A copy of this exception that also names the pass that was running. */
  public WhittleException inPass(String passId) {
    if (pass != null) {
      return this;
    }
    Builder b = toBuilder();
    b.pass = passId;
    return b.build(getCause());
  }

  private Builder toBuilder() {
    Builder b = new Builder(problem);
    b.file = file;
    b.nodeName = nodeName;
    b.opType = opType;
    b.opset = opset;
    b.inputIndex = inputIndex;
    b.expected = expected;
    b.found = found;
    b.pass = pass;
    return b;
  }

  public String problem() {
    return problem;
  }

  public Path file() {
    return file;
  }

  public String nodeName() {
    return nodeName;
  }

  public String opType() {
    return opType;
  }

  @Override
  public String getMessage() {
    List<String> where = new ArrayList<>();
    if (file != null) {
      where.add(file.toString());
    }
    if (nodeName != null || opType != null) {
      StringBuilder n = new StringBuilder(nodeName == null || nodeName.isEmpty() ? "unnamed node" : "node '" + nodeName + "'");
      if (opType != null) {
        n.append(" (").append(opType);
        if (opset != null) {
          n.append(", opset ").append(opset);
        }
        n.append(')');
      }
      where.add(n.toString());
    }
    if (inputIndex != null) {
      where.add("input " + inputIndex);
    }
    StringBuilder sb = new StringBuilder();
    if (!where.isEmpty()) {
      sb.append(String.join(": ", where)).append(": ");
    }
    sb.append(problem);
    if (expected != null) {
      sb.append("; expected ").append(expected);
    }
    if (found != null) {
      sb.append(expected != null ? ", found " : "; found ").append(found);
    }
    if (pass != null) {
      sb.append(" (in pass ").append(pass).append(')');
    }
    return sb.toString();
  }

  /** Collects context for a {@link WhittleException}. */
  public static final class Builder {
    private final String problem;
    private Path file;
    private String nodeName;
    private String opType;
    private Long opset;
    private Integer inputIndex;
    private String expected;
    private String found;
    private String pass;

    private Builder(String problem) {
      this.problem = problem;
    }

    public Builder file(Path file) {
      this.file = file;
      return this;
    }

    public Builder node(String name, String opType) {
      this.nodeName = name;
      this.opType = opType;
      return this;
    }

    public Builder opset(long opset) {
      this.opset = opset;
      return this;
    }

    public Builder input(int index) {
      this.inputIndex = index;
      return this;
    }

    public Builder expected(String expected) {
      this.expected = expected;
      return this;
    }

    public Builder found(String found) {
      this.found = found;
      return this;
    }

    public Builder pass(String pass) {
      this.pass = pass;
      return this;
    }

    public WhittleException build() {
      return new WhittleException(this, null);
    }

    public WhittleException build(Throwable cause) {
      return new WhittleException(this, cause);
    }
  }
}
