package io.segbuf.kafka.internal;

import org.jspecify.annotations.Nullable;

/** Text from input made safe for a log line or a header: control characters escaped, nothing else changed. */
public final class Printable {
  private Printable() {}

  /** {@code text} with every ISO control character (newline, ESC, DEL ...) written as {@code \n} or {@code \}{@code uXXXX}. */
  public static String escape(String text) {
    @Nullable StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isISOControl(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out == null ? text : out.toString();
  }
}
