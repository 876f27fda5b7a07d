package io.segbuf;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of a configuration that a value broke, as data: which property, the rule it must follow and the value
 * it had. Its {@link #message()} reads {@code <property> must <rule> but was <value>}; a caller that knows the
 * properties by other names (a command line's flags) renames them with {@link #message(UnaryOperator)} instead of
 * rewriting the text. Immutable.
 *
 * @param property the property's name in the builder that checked it ({@code maxMessageBytes}), or the client
 *     property's own name ({@code max.request.size})
 * @param rule what the value must be, after "must" ({@code be >= 256}); another property it refers to is written
 *     in braces ({@code be >= {minSpanBytes} (500)}) so that it is renamed with the problem's own property
 * @param value the value as it is shown after "but was": a {@link java.time.Duration} for a duration, a number for
 *     a number, text as quoted in the message otherwise
 */
public record ConfigProblem(String property, String rule, Object value) {
  private static final Pattern REFERENCE = Pattern.compile("\\{([A-Za-z0-9.]+)}");

  /** {@return {@code <property> must <rule> but was <value>}, with the properties under their names here} */
  public String message() {
    return message(UnaryOperator.identity());
  }

  /**
   * {@return the message with {@link #property} and every property the rule refers to named by {@code names}}
   *
   * @param names a property's name here for its name in this problem
   */
  public String message(UnaryOperator<String> names) {
    Matcher reference = REFERENCE.matcher(rule);
    StringBuilder text = new StringBuilder();
    while (reference.find()) {
      reference.appendReplacement(text, Matcher.quoteReplacement(names.apply(reference.group(1))));
    }
    reference.appendTail(text);
    return names.apply(property) + " must " + text + " but was " + value;
  }

  /**
   * {@return the same problem with another value, as a caller shows it (a duration in the seconds a user typed)}
   *
   * @param shown the value as the caller shows it
   */
  public ConfigProblem withValue(Object shown) {
    return new ConfigProblem(property, rule, shown);
  }

  @Override
  public String toString() {
    return message();
  }
}
