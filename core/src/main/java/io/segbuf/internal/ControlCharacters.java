package io.segbuf.internal;

/**
 * Escapes the characters of text from input that could forge or hide lines where the text is shown: C0 and C1
 * controls (newline, carriage return, ESC), DEL, line and paragraph separators, and format characters (bidi
 * overrides, zero-width). They become {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}; everything
 * else, backslashes included, stays as it is, so escaping twice changes nothing.
 */
public final class ControlCharacters {
  private ControlCharacters() {}

  public static String escape(String text) {
    int first = 0;
    while (first < text.length() && !unsafe(text.charAt(first))) {
      first++;
    }
    if (first == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!unsafe(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  private static boolean unsafe(char c) {
    if (c >= 0x20 && c < 0x7f) {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
