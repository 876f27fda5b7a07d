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
 * The replay loop (docs/design.md §5, replay semantics): behaves like the consumer and its flusher on one partition,
 * line by line. {@code now} is the largest event time seen so far; when a line moves it forward, every segment due
 * at the new {@code now} is flushed before that line's span is added. Spans that keep {@code now} where it is are
 * offered in batches. At the end of input everything left is drained.
 */
final class Replay {
  private static final int SHARD = 0;
  private static final int MAX_BATCH = 1024;

  private final SpanBuffer buffer;
  private final OutputSink sink;
  private final PrintWriter err;
  private final Progress progress;
  private final List<Span> batch = new ArrayList<>(MAX_BATCH);
  private final Map<InvalidReason, Long> invalid = new EnumMap<>(InvalidReason.class);
  private long nowMillis = Long.MIN_VALUE;
  /** {@code nowMillis} as an instant (epoch 0 before the first span), made once per move, not once per call. */
  private Instant now = Instant.EPOCH;
  private long spans;
  private long duplicates;

  /** {@code buffer} sends to {@code sink}; the replay stops at the sink's first failure. */
  Replay(SpanBuffer buffer, OutputSink sink, PrintWriter err, Progress progress) {
    this.buffer = buffer;
    this.sink = sink;
    this.err = err;
    this.progress = progress;
  }

  /**
   * Replays every line; returns what happened. Invalid lines are reported on {@code err} with their number.
   * Throws the output's first write failure.
   */
  ReplaySummary run(LineReader reader) throws IOException {
    long started = System.nanoTime();
    try (ParsingReader lines = new ParsingReader(reader)) {
      while (lines.advance()) {
        throwOutputFailure();
        progress.update(lines.lines(), lines.bytes());
        ParseResult parsed = lines.parsed();
        if (parsed instanceof Span) {
          replay((Span) parsed);
        } else if (parsed != null) {
          Outcome.Invalid bad = (Outcome.Invalid) parsed;
          invalid.merge(bad.reason(), 1L, Long::sum);
          err.println("line " + lines.number() + ": invalid span (" + bad.reason() + "): " + bad.detail());
        }
      }
      offerBatch();
      buffer.drain(now);
      sink.finish();
      throwOutputFailure();
      progress.done();
      return new ReplaySummary(lines.lines(), lines.bytes(), spans, duplicates, invalid, buffer.stats(),
          System.nanoTime() - started);
    }
  }

  private void throwOutputFailure() throws IOException {
    IOException failure = sink.failure();
    if (failure != null) {
      progress.done();
      throw failure;
    }
  }

  /** Flushes what the span's event time makes due before adding it, then adds it to the batch. */
  private void replay(Span span) {
    spans++;
    long eventMillis = toMillis(span.eventTime());
    if (eventMillis > nowMillis) {
      offerBatch();
      nowMillis = eventMillis;
      now = Instant.ofEpochMilli(nowMillis);
      flushDue();
    }
    batch.add(span);
    if (batch.size() == MAX_BATCH) {
      offerBatch();
    }
  }

  private void offerBatch() {
    if (batch.isEmpty()) {
      return;
    }
    OfferResult result = buffer.offerSpans(SHARD, batch, now);
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
      cycle = buffer.flush(SHARD, now);
    } while (cycle.segments() + cycle.retries() >= buffer.config().maxFlushSegments() && cycle.retries() == 0);
  }

  /** Seconds to millis, saturating: event times come from the input and can be anything. */
  private static long toMillis(double seconds) {
    return (long) Math.floor(seconds * 1000);
  }

}
