package io.segbuf.internal;

import io.segbuf.BufferStats;
import io.segbuf.FlushReason;
import io.segbuf.InvalidReason;
import io.segbuf.spi.StoreUsage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link BufferStats}; safe for any number of threads. */
public final class StatsRecorder {
  public final LongAdder offeredSpans = new LongAdder();
  public final LongAdder duplicateSpans = new LongAdder();
  public final LongAdder flushedSegments = new LongAdder();
  public final LongAdder flushedMessages = new LongAdder();
  public final LongAdder flushedSpans = new LongAdder();
  public final LongAdder flushedMessageBytes = new LongAdder();
  public final AtomicLong largestMessageBytes = new AtomicLong();
  public final LongAdder chunkedSegments = new LongAdder();
  public final LongAdder oversizedSpans = new LongAdder();
  public final LongAdder continuations = new LongAdder();
  public final LongAdder rejectedMessages = new LongAdder();
  public final LongAdder rejectedSpans = new LongAdder();
  public final LongAdder sendFailures = new LongAdder();
  public final LongAdder failedSegments = new LongAdder();
  private final Map<InvalidReason, LongAdder> invalid = new EnumMap<>(InvalidReason.class);
  private final Map<FlushReason, LongAdder> reasons = new EnumMap<>(FlushReason.class);

  public StatsRecorder() {
    for (InvalidReason r : InvalidReason.values()) {
      invalid.put(r, new LongAdder());
    }
    for (FlushReason r : FlushReason.values()) {
      reasons.put(r, new LongAdder());
    }
  }

  public void invalid(InvalidReason reason) {
    counter(invalid, reason).increment();
  }

  public void flushed(FlushReason reason) {
    counter(reasons, reason).increment();
  }

  public BufferStats snapshot(StoreUsage usage) {
    return new BufferStats(
        usage.segments(),
        usage.spans(),
        usage.bytes(),
        offeredSpans.sum(),
        duplicateSpans.sum(),
        sums(invalid),
        flushedSegments.sum(),
        flushedMessages.sum(),
        flushedSpans.sum(),
        flushedMessageBytes.sum(),
        largestMessageBytes.get(),
        chunkedSegments.sum(),
        oversizedSpans.sum(),
        continuations.sum(),
        rejectedMessages.sum(),
        rejectedSpans.sum(),
        sendFailures.sum(),
        failedSegments.sum(),
        sums(reasons));
  }

  private static <K extends Enum<K>> LongAdder counter(Map<K, LongAdder> counters, K key) {
    LongAdder adder = counters.get(key);
    if (adder == null) {
      throw new IllegalStateException("no counter for " + key);
    }
    return adder;
  }

  private static <K extends Enum<K>> Map<K, Long> sums(Map<K, LongAdder> counters) {
    Map<K, Long> out = new java.util.HashMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
