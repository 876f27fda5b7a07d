package io.segbuf;

import java.util.List;

/**
 * A configuration was invalid. The message lists every problem, each as {@code <property> must <rule> but was
 * <value>}; {@link #problems()} gives them one by one as data.
 */
public final class ConfigException extends SegbufException {
  private static final long serialVersionUID = 1L;

  /** Every problem, in order. */
  @SuppressWarnings("serial") // problems are values for the caller in this process, not sent elsewhere
  private final List<ConfigProblem> problems;

  /**
   * An exception whose message lists every problem, in order.
   *
   * @param problems at least one
   */
  public ConfigException(List<ConfigProblem> problems) {
    super(String.join("; ", messages(problems)));
    this.problems = List.copyOf(problems);
  }

  /** {@return every problem, in the order the rules were checked} */
  public List<ConfigProblem> problems() {
    return problems;
  }

  /** {@return every problem's {@link ConfigProblem#message()}, in order} */
  public List<String> messages() {
    return messages(problems);
  }

  /**
   * Throws a {@link ConfigException} listing {@code problems} when there is any.
   *
   * @param problems every problem found, perhaps none
   */
  public static void throwIfAny(List<ConfigProblem> problems) {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private static List<String> messages(List<ConfigProblem> problems) {
    return problems.stream().map(ConfigProblem::message).toList();
  }
}
