package io.segbuf.cli.replay;

import io.segbuf.BufferStats;
import io.segbuf.InvalidReason;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a replay did, for the summary on stderr.
 *
 * @param lines input lines read
 * @param inputBytes input bytes read
 * @param spans valid spans
 * @param duplicates valid spans that were byte-identical copies of earlier ones
 * @param invalid invalid lines, by reason
 * @param stats the buffer's counters at the end
 * @param elapsedNanos wall time of the replay
 */
record ReplaySummary(
    long lines,
    long inputBytes,
    long spans,
    long duplicates,
    Map<InvalidReason, Long> invalid,
    BufferStats stats,
    long elapsedNanos) {

  ReplaySummary {
    invalid = Map.copyOf(invalid);
  }

  long invalidTotal() {
    return invalid.values().stream().mapToLong(Long::longValue).sum();
  }

  String format() {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-9);
    String reasons = invalid.isEmpty() ? "" : invalid.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", ", " (", ")"));
    return String.format(Locale.ROOT,
        "segbuf replay: %,d lines, %,d spans, %,d invalid%s, %,d duplicates%n"
            + "  %,d segments (%,d chunked, %,d continuations), %,d messages, %,d oversized spans, %,d rejected%n"
            + "  %.2f s, %,.0f spans/s, %.1f MB/s in",
        lines, spans, invalidTotal(), reasons, duplicates,
        stats.flushedSegments(), stats.chunkedSegments(), stats.continuations(), stats.flushedMessages(),
        stats.oversizedSpans(), stats.rejectedSpans(),
        seconds, spans / seconds, inputBytes / 1e6 / seconds);
  }
}
