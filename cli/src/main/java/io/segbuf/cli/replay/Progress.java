package io.segbuf.cli.replay;

import java.io.PrintWriter;
import java.util.Locale;

/** A progress line on a terminal for long inputs: lines, megabytes and spans per second, once a second. */
final class Progress {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final PrintWriter err;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastPrinted = started;
  private boolean printed;

  Progress(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  void update(long lines, long bytes) {
    if (!enabled || (lines & 0x3fff) != 0) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastPrinted < INTERVAL_NANOS) {
      return;
    }
    lastPrinted = now;
    printed = true;
    double seconds = (now - started) / 1e9;
    err.printf(Locale.ROOT, "\r%,d lines, %.1f MB, %,.0f lines/s ", lines, bytes / 1e6, lines / seconds);
    err.flush();
  }

  void done() {
    if (printed) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
