package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.BufferStats;
import io.segbuf.RecordingSink;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.TraceFailingStore;
import io.segbuf.TraceId;
import io.segbuf.spi.StoreUsage;
import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SegmentStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SpanBufferMetricsTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  @Test
  void metersFollowTheBuffersStats() {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(), new RecordingSink());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer, null, Tags.of("service", "test")).bindTo(registry);

    buffer.offer(0, List.of(TestSpans.span(1).bytes(), TestSpans.span(2).parent(1).bytes(),
        "{\"span_id\":1}".getBytes(StandardCharsets.UTF_8)), T0);
    assertThat(registry.get("segbuf.buffer.spans").tag("service", "test").gauge().value()).isEqualTo(2);
    assertThat(registry.get("segbuf.spans.invalid").tag("reason", "span_id").functionCounter().count())
        .isEqualTo(1);

    buffer.flush(0, T0.plusSeconds(10));
    // a fresh registry reads a fresh snapshot
    SimpleMeterRegistry later = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer).bindTo(later);
    assertThat(later.get("segbuf.buffer.spans").gauge().value()).isZero();
    assertThat(later.get("segbuf.spans.flushed").functionCounter().count()).isEqualTo(2);
    assertThat(later.get("segbuf.segments.flushed").tag("reason", "root_timeout").functionCounter().count())
        .isEqualTo(1);
    assertThat(later.get("segbuf.messages.flushed").functionCounter().count()).isEqualTo(1);
    assertThat(later.find("segbuf.consumer.lag").gauge()).isNull();
    assertThat(later.get("segbuf.buffer.bytes").gauge().getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(later.get("segbuf.store.memory.fraction").gauge().getId().getBaseUnit()).isNull();
  }

  @Test
  void everyCounterOfTheBufferReadsItsStat() {
    RecordingSink sink = new RecordingSink().answer(m -> m.value().length > 4096
        ? CompletableFuture.failedFuture(new RejectedMessageException("record too large"))
        : CompletableFuture.completedFuture(null));
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(1024).build(),
        SegmentStore.inMemory(), sink);
    List<byte[]> spans = new ArrayList<>();
    spans.add(TestSpans.span(1).bytes());
    for (int i = 2; i <= 9; i++) {
      spans.add(TestSpans.span(i).parent(1).padding(300).bytes());
    }
    spans.add(TestSpans.span(10).parent(1).padding(6000).bytes());
    spans.add(TestSpans.span(2).parent(1).padding(300).bytes());
    buffer.offer(0, spans, T0);
    buffer.flush(0, T0.plusSeconds(60));
    buffer.offer(0, List.of(TestSpans.span(11).parent(1).padding(3000).bytes()), T0.plusSeconds(61));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer).bindTo(registry);
    BufferStats stats = buffer.stats();

    Map<String, Long> expected = Map.ofEntries(Map.entry("segbuf.spans.offered", stats.offeredSpans()),
        Map.entry("segbuf.spans.duplicate", stats.duplicateSpans()),
        Map.entry("segbuf.messages.flushed", stats.flushedMessages()),
        Map.entry("segbuf.spans.flushed", stats.flushedSpans()),
        Map.entry("segbuf.messages.flushed.bytes", stats.flushedMessageBytes()),
        Map.entry("segbuf.segments.chunked", stats.chunkedSegments()),
        Map.entry("segbuf.spans.oversized", stats.oversizedSpans()),
        Map.entry("segbuf.segments.continuations", stats.continuations()),
        Map.entry("segbuf.messages.rejected", stats.rejectedMessages()),
        Map.entry("segbuf.spans.rejected", stats.rejectedSpans()),
        Map.entry("segbuf.sends.failed", stats.sendFailures()),
        Map.entry("segbuf.segments.failed", stats.failedSegments()));
    expected.forEach((name, value) ->
        assertThat(registry.get(name).functionCounter().count()).as(name).isEqualTo((double) value));
    assertThat(List.of(stats.offeredSpans(), stats.duplicateSpans(), stats.flushedMessages(),
        stats.flushedMessageBytes(), stats.chunkedSegments(), stats.oversizedSpans(), stats.rejectedMessages(),
        stats.rejectedSpans())).as("the counters read are not all zero").doesNotContain(0L);
    assertThat(registry.get("segbuf.buffer.segments").gauge().value()).isEqualTo(stats.bufferedSegments()).isOne();
    assertThat(registry.get("segbuf.buffer.spans").gauge().value()).isEqualTo(stats.bufferedSpans()).isOne();
    assertThat(registry.get("segbuf.buffer.bytes").gauge().value()).isEqualTo(stats.bufferedBytes())
        .isGreaterThan(3000);
    assertThat(registry.get("segbuf.messages.largest").gauge().value()).isEqualTo(stats.largestMessageBytes())
        .isGreaterThan(6000);
    assertThat(registry.get("segbuf.store.memory.fraction").gauge().value())
        .isEqualTo(buffer.usage().memoryFraction());
  }

  @Test
  void theFailureAndContinuationCountersAndTheMemoryFractionReadTheirStats() {
    String failing = "f".repeat(32);
    SegmentStore store = usingMemory(new TraceFailingStore(SegmentStore.inMemory())
        .refuseFlushes(TraceId.parse(failing)), 300, 1000);
    AtomicBoolean first = new AtomicBoolean(true);
    RecordingSink sink = new RecordingSink().answer(m -> first.getAndSet(false)
        ? CompletableFuture.failedFuture(new IllegalStateException("broker away"))
        : CompletableFuture.completedFuture(null));
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), store, sink);
    buffer.offer(0, List.of(TestSpans.span(1).bytes(), TestSpans.span(5).trace(failing).bytes()), T0);
    buffer.flush(0, T0.plusSeconds(60));
    buffer.flush(0, T0.plusSeconds(120));
    buffer.offer(0, List.of(TestSpans.span(2).parent(1).bytes()), T0.plusSeconds(121));
    buffer.flush(0, T0.plusSeconds(300));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer).bindTo(registry);
    BufferStats stats = buffer.stats();

    assertThat(List.of(stats.continuations(), stats.sendFailures(), stats.failedSegments()))
        .as("the counters read are not zero").doesNotContain(0L);
    assertThat(registry.get("segbuf.segments.continuations").functionCounter().count())
        .isEqualTo(stats.continuations());
    assertThat(registry.get("segbuf.sends.failed").functionCounter().count()).isEqualTo(stats.sendFailures());
    assertThat(registry.get("segbuf.segments.failed").functionCounter().count()).isEqualTo(stats.failedSegments());
    assertThat(registry.get("segbuf.store.memory.fraction").gauge().value()).isEqualTo(0.3);
  }

  @Test
  void oneSnapshotServesARegistrysMetersUntilItIsOlderThanItsAgeByTheRegistrysClock() {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(), new RecordingSink());
    MockClock clock = new MockClock();
    clock.add(1, TimeUnit.SECONDS); // a registry that has run a while: its clock reads far from 0
    SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    new SpanBufferMetrics(buffer).bindTo(registry);
    Gauge spans = registry.get("segbuf.buffer.spans").gauge();
    assertThat(spans.value()).isZero();

    buffer.offer(0, List.of(TestSpans.span(1).bytes()), T0);
    assertThat(spans.value()).as("read at once: the same snapshot").isZero();
    assertThat(registry.get("segbuf.spans.offered").functionCounter().count()).as("another meter, the same snapshot")
        .isZero();
    clock.add(SpanBufferMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);
    assertThat(spans.value()).as("read when exactly the snapshot's age: the same snapshot").isZero();
    clock.add(1, TimeUnit.NANOSECONDS);
    assertThat(spans.value()).as("read later: a new snapshot").isOne();
    assertThat(registry.get("segbuf.spans.offered").functionCounter().count()).isOne();
  }

  /** {@code store}, reporting {@code used} of {@code max} bytes of memory in its usage. */
  private static SegmentStore usingMemory(SegmentStore store, long used, long max) {
    return (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("usage")) {
            StoreUsage u = store.usage();
            return new StoreUsage(u.segments(), u.spans(), u.bytes(), used, max);
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
