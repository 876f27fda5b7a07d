package io.segbuf.cli.replay;

import io.segbuf.FlushResult;
import io.segbuf.InvalidReason;
import io.segbuf.OfferResult;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import io.segbuf.SpanBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The replay loop (DESIGN.md §5, replay semantics): behaves like the consumer and its flusher on one partition,
 * line by line. {@code now} is the largest event time seen so far; when a line moves it forward, every segment due
 * at the new {@code now} is flushed before that line's span is added. Spans that keep {@code now} where it is are
 * offered in batches. At the end of input everything left is drained.
 */
final class Replay {
  private static final int SHARD = 0;
  private static final int MAX_BATCH = 1024;

  private final SpanBuffer buffer;
  private final PrintWriter err;
  private final Progress progress;
  private final List<Span> batch = new ArrayList<>(MAX_BATCH);
  private final Map<InvalidReason, Long> invalid = new EnumMap<>(InvalidReason.class);
  private long nowMillis = Long.MIN_VALUE;
  private long spans;
  private long duplicates;

  Replay(SpanBuffer buffer, PrintWriter err, Progress progress) {
    this.buffer = buffer;
    this.err = err;
    this.progress = progress;
  }

  /** Replays every line; returns what happened. Invalid lines are reported on {@code err} with their number. */
  ReplaySummary run(LineReader lines) throws IOException {
    long started = System.nanoTime();
    byte[] line;
    while ((line = lines.next()) != null) {
      progress.update(lines);
      if (isBlank(line)) {
        continue;
      }
      ParseResult parsed = Span.parse(line);
      if (!(parsed instanceof Span)) {
        Outcome.Invalid bad = (Outcome.Invalid) parsed;
        invalid.merge(bad.reason(), 1L, Long::sum);
        err.println("line " + lines.lines() + ": invalid span (" + bad.reason() + "): " + bad.detail());
        continue;
      }
      Span span = (Span) parsed;
      spans++;
      long eventMillis = toMillis(span.eventTime());
      if (eventMillis > nowMillis) {
        offerBatch();
        nowMillis = eventMillis;
        flushDue();
      }
      batch.add(span);
      if (batch.size() == MAX_BATCH) {
        offerBatch();
      }
    }
    offerBatch();
    buffer.drain(now());
    progress.done();
    return new ReplaySummary(lines.lines(), lines.bytes(), spans, duplicates, invalid, buffer.stats(),
        System.nanoTime() - started);
  }

  private void offerBatch() {
    if (batch.isEmpty()) {
      return;
    }
    OfferResult result = buffer.offerSpans(SHARD, batch, now());
    duplicates += result.duplicates();
    batch.clear();
    if (buffer.config().maxBufferedBytes() > 0) {
      flushDue();
    }
  }

  /** Flushes every segment due at {@code now}, in as many cycles of {@code maxFlushSegments} as it takes. */
  private void flushDue() {
    FlushResult cycle;
    do {
      cycle = buffer.flush(SHARD, now());
    } while (cycle.segments() + cycle.retries() >= buffer.config().maxFlushSegments() && cycle.retries() == 0);
  }

  private Instant now() {
    return Instant.ofEpochMilli(nowMillis == Long.MIN_VALUE ? 0 : nowMillis);
  }

  /** Seconds to millis, saturating: event times come from the input and can be anything. */
  private static long toMillis(double seconds) {
    return (long) Math.floor(seconds * 1000);
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
