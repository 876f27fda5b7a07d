package io.segbuf;

import java.util.List;

/**
 * A configuration was invalid. The message lists every problem, each as {@code <property> must <rule> but was
 * <value>}; {@link #problems()} gives them one by one.
 */
public final class ConfigException extends SegbufException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  /** Throws a {@link ConfigException} listing {@code problems} when there is any. */
  public static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
