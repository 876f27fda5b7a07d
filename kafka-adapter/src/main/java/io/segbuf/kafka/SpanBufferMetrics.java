package io.segbuf.kafka;

import io.micrometer.core.instrument.Clock;
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
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Exposes a {@link SpanBuffer}'s {@link BufferStats} (docs/design.md §6), and a {@link SpanConsumer}'s lag, pauses and
 * commits when given, as Micrometer meters named {@code segbuf.*}: gauges for what is buffered now, function
 * counters for the rest, {@code reason} tags for invalid spans and flushed segments.
 *
 * <p>One snapshot of the stats serves all of a registry's meters read within {@value #SNAPSHOT_NANOS} ns by the
 * registry's clock, so that a scrape does not take the store's lock once per meter. Thread-safe.
 */
public final class SpanBufferMetrics implements MeterBinder {
  static final long SNAPSHOT_NANOS = 100_000_000L;

  private final SpanBuffer buffer;
  private final @Nullable SpanConsumer consumer;
  private final Tags tags;

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

  @Override
  public void bindTo(MeterRegistry registry) {
    Snapshot snapshot = new Snapshot(buffer, registry.config().clock());
    gauge(registry, "segbuf.buffer.segments", "segments buffered now", BaseUnits.OBJECTS,
        () -> snapshot.stats().bufferedSegments());
    gauge(registry, "segbuf.buffer.spans", "spans buffered now", BaseUnits.OBJECTS,
        () -> snapshot.stats().bufferedSpans());
    gauge(registry, "segbuf.buffer.bytes", "span bytes buffered now", BaseUnits.BYTES,
        () -> snapshot.stats().bufferedBytes());
    gauge(registry, "segbuf.store.memory.fraction", "store memory used over its limit (0 without a limit)", null,
        () -> buffer.usage().memoryFraction());
    gauge(registry, "segbuf.messages.largest", "largest message encoded", BaseUnits.BYTES,
        () -> snapshot.stats().largestMessageBytes());

    counter(registry, "segbuf.spans.offered", "spans offered", Tags.empty(), () -> snapshot.stats().offeredSpans());
    counter(registry, "segbuf.spans.duplicate", "byte-identical copies of buffered or recent spans", Tags.empty(),
        () -> snapshot.stats().duplicateSpans());
    for (InvalidReason reason : InvalidReason.values()) {
      counter(registry, "segbuf.spans.invalid", "spans that could not be parsed", Tags.of("reason", tag(reason)),
          () -> snapshot.stats().invalidSpans().getOrDefault(reason, 0L));
    }
    for (FlushReason reason : FlushReason.values()) {
      counter(registry, "segbuf.segments.flushed", "segment generations completed", Tags.of("reason", tag(reason)),
          () -> snapshot.stats().flushReasons().getOrDefault(reason, 0L));
    }
    counter(registry, "segbuf.messages.flushed", "messages acknowledged", Tags.empty(),
        () -> snapshot.stats().flushedMessages());
    counter(registry, "segbuf.spans.flushed", "spans in acknowledged messages", Tags.empty(),
        () -> snapshot.stats().flushedSpans());
    counter(registry, "segbuf.messages.flushed.bytes", "bytes of acknowledged messages", Tags.empty(),
        () -> snapshot.stats().flushedMessageBytes());
    counter(registry, "segbuf.segments.chunked", "segment generations flushed in chunks", Tags.empty(),
        () -> snapshot.stats().chunkedSegments());
    counter(registry, "segbuf.spans.oversized", "spans larger than the message budget", Tags.empty(),
        () -> snapshot.stats().oversizedSpans());
    counter(registry, "segbuf.segments.continuations", "segment generations after the first", Tags.empty(),
        () -> snapshot.stats().continuations());
    counter(registry, "segbuf.messages.rejected", "messages the sink refused for good", Tags.empty(),
        () -> snapshot.stats().rejectedMessages());
    counter(registry, "segbuf.spans.rejected", "spans in refused messages", Tags.empty(),
        () -> snapshot.stats().rejectedSpans());
    counter(registry, "segbuf.sends.failed", "retriable send failures", Tags.empty(),
        () -> snapshot.stats().sendFailures());
    counter(registry, "segbuf.segments.failed", "segments whose seal, read or encoding failed (backed off alone)",
        Tags.empty(), () -> snapshot.stats().failedSegments());

    SpanConsumer c = consumer;
    if (c != null) {
      gauge(registry, "segbuf.consumer.lag", "records behind the end of the owned partitions", BaseUnits.OBJECTS,
          () -> c.stats().lag());
      gauge(registry, "segbuf.consumer.paused", "1 while input is paused for backpressure", null,
          () -> c.stats().paused() ? 1 : 0);
      gauge(registry, "segbuf.consumer.partitions", "partitions owned", null,
          () -> c.stats().assignedPartitions());
      counter(registry, "segbuf.consumer.pauses", "times input was paused", Tags.empty(), () -> c.stats().pauses());
      counter(registry, "segbuf.consumer.resumes", "times input was resumed", Tags.empty(),
          () -> c.stats().resumes());
      counter(registry, "segbuf.consumer.records", "records polled", Tags.empty(), () -> c.stats().polledRecords());
      counter(registry, "segbuf.consumer.commits", "offset commits", Tags.empty(), () -> c.stats().commits());
      counter(registry, "segbuf.consumer.store.failures", "batches the store refused (read again)", Tags.empty(),
          () -> c.stats().storeFailures());
      counter(registry, "segbuf.consumer.lost.partitions", "partitions taken away without a revoke", Tags.empty(),
          () -> c.stats().lostPartitions());
      counter(registry, "segbuf.consumer.skipped.records", "records Kafka deleted before they were read",
          Tags.empty(), () -> c.stats().skippedRecords());
      counter(registry, "segbuf.consumer.dead.lettered", "invalid spans copied to the dead-letter topic",
          Tags.empty(), () -> c.stats().deadLettered());
    }
  }

  private void gauge(MeterRegistry registry, String name, String description, @Nullable String unit,
      DoubleSupplier value) {
    // Meters hold their object weakly: the buffer, which its owner keeps; the function holds what it reads.
    Gauge.Builder<SpanBuffer> b =
        Gauge.builder(name, buffer, x -> value.getAsDouble()).description(description).tags(tags);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      DoubleSupplier value) {
    FunctionCounter.builder(name, buffer, x -> value.getAsDouble()).description(description).tags(tags.and(extra))
        .register(registry);
  }

  private static String tag(Enum<?> reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  /** The buffer's stats as one registry reads them: taken again once older than {@link #SNAPSHOT_NANOS}. */
  private static final class Snapshot {
    private final SpanBuffer buffer;
    private final Clock clock;
    private @Nullable BufferStats stats;
    private long takenAt;

    Snapshot(SpanBuffer buffer, Clock clock) {
      this.buffer = buffer;
      this.clock = clock;
    }

    synchronized BufferStats stats() {
      long now = clock.monotonicTime();
      BufferStats taken = stats;
      if (taken == null || now - takenAt > SNAPSHOT_NANOS) {
        taken = buffer.stats();
        stats = taken;
        takenAt = now;
      }
      return taken;
    }
  }
}
