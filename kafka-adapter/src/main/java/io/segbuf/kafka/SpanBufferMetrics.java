package io.segbuf.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.segbuf.BufferStats;
import io.segbuf.FlushReason;
import io.segbuf.InvalidReason;
import io.segbuf.SpanBuffer;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Exposes a {@link SpanBuffer}'s {@link BufferStats} (docs/design.md §6), and a {@link SpanConsumer}'s lag, pauses and
 * commits when given, as Micrometer meters named {@code segbuf.*}: gauges for what is buffered now, function
 * counters for the rest, {@code reason} tags for invalid spans and flushed segments.
 *
 * <p>One snapshot of the stats serves all meters read within {@value #SNAPSHOT_NANOS} ns, so that a scrape does
 * not take the store's lock once per meter. Thread-safe.
 */
public final class SpanBufferMetrics implements MeterBinder {
  static final long SNAPSHOT_NANOS = 100_000_000L;

  private final SpanBuffer buffer;
  private final @Nullable SpanConsumer consumer;
  private final Tags tags;

  private @Nullable BufferStats cached;
  private long cachedAt;

  /**
   * Meters for a buffer and, when given, the consumer that fills it; they are registered by {@link #bindTo}.
   *
   * @param buffer the buffer whose stats are exposed
   * @param consumer the consumer whose lag, pauses and commits are exposed too, or null for none
   * @param tags added to every meter
   */
  public SpanBufferMetrics(SpanBuffer buffer, @Nullable SpanConsumer consumer, Iterable<Tag> tags) {
    this.buffer = buffer;
    this.consumer = consumer;
    this.tags = Tags.of(tags);
  }

  /**
   * Meters for a buffer alone, without tags.
   *
   * @param buffer the buffer whose stats are exposed
   */
  public SpanBufferMetrics(SpanBuffer buffer) {
    this(buffer, null, Tags.empty());
  }

  private synchronized BufferStats stats() {
    long now = System.nanoTime();
    BufferStats stats = cached;
    if (stats == null || now - cachedAt > SNAPSHOT_NANOS) {
      stats = buffer.stats();
      cached = stats;
      cachedAt = now;
    }
    return stats;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "segbuf.buffer.segments", "segments buffered now", BaseUnits.OBJECTS,
        m -> m.stats().bufferedSegments());
    gauge(registry, "segbuf.buffer.spans", "spans buffered now", BaseUnits.OBJECTS, m -> m.stats().bufferedSpans());
    gauge(registry, "segbuf.buffer.bytes", "span bytes buffered now", BaseUnits.BYTES,
        m -> m.stats().bufferedBytes());
    gauge(registry, "segbuf.store.memory.fraction", "store memory used over its limit (0 without a limit)", null,
        m -> m.buffer.usage().memoryFraction());
    gauge(registry, "segbuf.messages.largest", "largest message encoded", BaseUnits.BYTES,
        m -> m.stats().largestMessageBytes());

    counter(registry, "segbuf.spans.offered", "spans offered", Tags.empty(), m -> m.stats().offeredSpans());
    counter(registry, "segbuf.spans.duplicate", "byte-identical copies of buffered or recent spans", Tags.empty(),
        m -> m.stats().duplicateSpans());
    for (InvalidReason reason : InvalidReason.values()) {
      counter(registry, "segbuf.spans.invalid", "spans that could not be parsed", Tags.of("reason", tag(reason)),
          m -> m.stats().invalidSpans().getOrDefault(reason, 0L));
    }
    for (FlushReason reason : FlushReason.values()) {
      counter(registry, "segbuf.segments.flushed", "segment generations completed", Tags.of("reason", tag(reason)),
          m -> m.stats().flushReasons().getOrDefault(reason, 0L));
    }
    counter(registry, "segbuf.messages.flushed", "messages acknowledged", Tags.empty(),
        m -> m.stats().flushedMessages());
    counter(registry, "segbuf.spans.flushed", "spans in acknowledged messages", Tags.empty(),
        m -> m.stats().flushedSpans());
    counter(registry, "segbuf.messages.flushed.bytes", "bytes of acknowledged messages", Tags.empty(),
        m -> m.stats().flushedMessageBytes());
    counter(registry, "segbuf.segments.chunked", "segment generations flushed in chunks", Tags.empty(),
        m -> m.stats().chunkedSegments());
    counter(registry, "segbuf.spans.oversized", "spans larger than the message budget", Tags.empty(),
        m -> m.stats().oversizedSpans());
    counter(registry, "segbuf.segments.continuations", "segment generations after the first", Tags.empty(),
        m -> m.stats().continuations());
    counter(registry, "segbuf.messages.rejected", "messages the sink refused for good", Tags.empty(),
        m -> m.stats().rejectedMessages());
    counter(registry, "segbuf.spans.rejected", "spans in refused messages", Tags.empty(),
        m -> m.stats().rejectedSpans());
    counter(registry, "segbuf.sends.failed", "retriable send failures", Tags.empty(),
        m -> m.stats().sendFailures());
    counter(registry, "segbuf.segments.failed", "segments whose seal, read or encoding failed (backed off alone)",
        Tags.empty(), m -> m.stats().failedSegments());

    SpanConsumer c = consumer;
    if (c != null) {
      gauge(registry, "segbuf.consumer.lag", "records behind the end of the owned partitions", BaseUnits.OBJECTS,
          m -> c.stats().lag());
      gauge(registry, "segbuf.consumer.paused", "1 while input is paused for backpressure", null,
          m -> c.stats().paused() ? 1 : 0);
      gauge(registry, "segbuf.consumer.partitions", "partitions owned", null,
          m -> c.stats().assignedPartitions());
      counter(registry, "segbuf.consumer.pauses", "times input was paused", Tags.empty(), m -> c.stats().pauses());
      counter(registry, "segbuf.consumer.resumes", "times input was resumed", Tags.empty(),
          m -> c.stats().resumes());
      counter(registry, "segbuf.consumer.records", "records polled", Tags.empty(), m -> c.stats().polledRecords());
      counter(registry, "segbuf.consumer.commits", "offset commits", Tags.empty(), m -> c.stats().commits());
      counter(registry, "segbuf.consumer.store.failures", "batches the store refused (read again)", Tags.empty(),
          m -> c.stats().storeFailures());
      counter(registry, "segbuf.consumer.lost.partitions", "partitions taken away without a revoke", Tags.empty(),
          m -> c.stats().lostPartitions());
      counter(registry, "segbuf.consumer.skipped.records", "records Kafka deleted before they were read",
          Tags.empty(), m -> c.stats().skippedRecords());
      counter(registry, "segbuf.consumer.dead.lettered", "invalid spans copied to the dead-letter topic",
          Tags.empty(), m -> c.stats().deadLettered());
    }
  }

  private void gauge(MeterRegistry registry, String name, String description, @Nullable String unit,
      ToDoubleFunction<SpanBufferMetrics> value) {
    // Meters hold their object weakly: the buffer, which its owner keeps; the function holds this binder.
    Gauge.Builder<SpanBuffer> b =
        Gauge.builder(name, buffer, x -> value.applyAsDouble(this)).description(description).tags(tags);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      ToDoubleFunction<SpanBufferMetrics> value) {
    FunctionCounter.builder(name, buffer, x -> value.applyAsDouble(this)).description(description).tags(tags.and(extra)).register(registry);
  }

  private static String tag(Enum<?> reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }
}
