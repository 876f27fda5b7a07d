package io.segbuf.cli;

import io.segbuf.ConfigProblem;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Configuration problems in a command's words. A builder's property ({@code rootTimeout}, {@code max.request.size})
 * is set by the flag of the same words in dashes ({@code --root-timeout}, {@code --max-request-size}) when the
 * command has that option; a duration is shown in the seconds that those flags take.
 */
public final class FlagNames {
  private static final Pattern WORD_START = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

  private FlagNames() {}

  /** Each problem's message with its properties named by {@code command}'s flags, in order. */
  public static List<String> messages(CommandSpec command, List<ConfigProblem> problems) {
    return problems.stream().map(p -> message(command, p)).toList();
  }

  /** The problem's message with its properties named by {@code command}'s flags. */
  public static String message(CommandSpec command, ConfigProblem problem) {
    boolean flag = command.findOption(flag(problem.property())) != null;
    ConfigProblem shown = flag && problem.value() instanceof Duration duration
        ? problem.withValue(seconds(duration)) : problem;
    return shown.message(property -> command.findOption(flag(property)) != null ? flag(property) : property);
  }

  /** {@code --root-timeout} for {@code rootTimeout}, {@code --max-request-size} for {@code max.request.size}. */
  static String flag(String property) {
    return "--" + WORD_START.matcher(property.replace('.', '-')).replaceAll("-").toLowerCase(Locale.ROOT);
  }

  /** {@code PT1.5S} as {@code 1.5}: the options take seconds. */
  private static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
  }
}
