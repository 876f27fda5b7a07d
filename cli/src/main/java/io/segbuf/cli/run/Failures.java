package io.segbuf.cli.run;

import java.util.regex.Pattern;

/** An exception as a person reads it: its messages down the cause chain, without Java's class names. */
final class Failures {
  /** {@code java.net.ConnectException: } as Java prefixes a wrapped cause's message. */
  private static final Pattern CLASS_NAME = Pattern.compile("\\b([a-z_][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error)(: )?");

  private Failures() {}

  static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null && text.length() < 300; t = t.getCause()) {
      String message = t.getMessage();
      message = message == null ? null : CLASS_NAME.matcher(message).replaceAll("");
      if (message == null || message.isBlank() || text.indexOf(message) >= 0) {
        continue;
      }
      text.append(text.length() == 0 ? "" : ": ").append(message.strip());
    }
    return text.length() == 0 ? "an unexpected " + failure.getClass().getSimpleName() : text.toString();
  }
}
