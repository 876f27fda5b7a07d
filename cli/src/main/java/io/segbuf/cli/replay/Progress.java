package io.segbuf.cli.replay;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line on a terminal for long inputs, once a second: lines, megabytes and lines per second, and, when
 * the input's size is known (a file), the share read and an estimate of the time left at the average rate so far.
 */
final class Progress {
  private static final long INTERVAL_NANOS = 1_000_000_000L;
  /** Lines between looks at the clock: a power of two minus one, as a mask. */
  private static final long LINES_MASK = 0x3fff;

  private final PrintWriter err;
  private final boolean enabled;
  private final long totalBytes;
  private final LongSupplier nanoTime;
  private final long started;
  private long lastPrinted;
  private boolean printed;

  /** {@code totalBytes}: the input's size, or -1 when unknown (standard input). */
  Progress(PrintWriter err, boolean enabled, long totalBytes, LongSupplier nanoTime) {
    this.err = err;
    this.enabled = enabled;
    this.totalBytes = totalBytes;
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
    this.lastPrinted = started;
  }

  void update(long lines, long bytes) {
    if (!enabled || (lines & LINES_MASK) != 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (now - lastPrinted < INTERVAL_NANOS) {
      return;
    }
    lastPrinted = now;
    printed = true;
    double seconds = (now - started) / 1e9;
    err.printf(Locale.ROOT, "\r%,d lines, %.1f MB", lines, bytes / 1e6);
    if (totalBytes > 0 && bytes <= totalBytes) {
      double left = seconds * (totalBytes - bytes) / Math.max(bytes, 1);
      err.printf(Locale.ROOT, " of %.1f MB (%d%%), about %s left", totalBytes / 1e6, bytes * 100 / totalBytes,
          duration(Math.round(left)));
    }
    err.printf(Locale.ROOT, ", %,.0f lines/s \033[K", lines / seconds);
    err.flush();
  }

  void done() {
    if (printed) {
      err.print("\r\033[K");
      err.flush();
      printed = false;
    }
  }

  /** {@code 42 s}, {@code 3 min 5 s}, {@code 2 h 7 min}. */
  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min " + seconds % 60 + " s";
    }
    return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
  }
}
