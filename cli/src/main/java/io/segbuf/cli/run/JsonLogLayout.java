package io.segbuf.cli.run;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;

/**
 * One JSON object per line: {@code {"time":"2026-12-01T20:00:00.123Z","level":"INFO","logger":"...",
 * "thread":"...","message":"...","error":"stack trace"}} ({@code error} only with an exception), for log
 * collectors that parse JSON lines.
 */
final class JsonLogLayout extends LayoutBase<ILoggingEvent> {

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"time\":");
    string(json, Instant.ofEpochMilli(event.getTimeStamp()).toString());
    json.append(",\"level\":");
    string(json, event.getLevel().toString());
    json.append(",\"logger\":");
    string(json, event.getLoggerName());
    json.append(",\"thread\":");
    string(json, event.getThreadName());
    json.append(",\"message\":");
    string(json, event.getFormattedMessage());
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      json.append(",\"error\":");
      string(json, ThrowableProxyUtil.asString(error));
    }
    return json.append("}\n").toString();
  }

  /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
  private static void string(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
