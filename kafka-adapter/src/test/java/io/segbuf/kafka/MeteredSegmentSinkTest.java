package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.RecordingSink;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The metered sink records every message's size and the time to each answer, and passes everything through. */
class MeteredSegmentSinkTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  private final MockClock clock = new MockClock();
  private final MeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final RecordingSink sink = new RecordingSink();

  /** A buffer of 2,000-byte messages holding a root and a child of 1,200 bytes each: two chunks. */
  private SpanBuffer bufferOfTwoChunks(MeteredSegmentSink metered) {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(2_000).build(),
        SegmentStore.inMemory(), metered);
    buffer.offer(0, List.of(TestSpans.span(1).padding(1_200).bytes(),
        TestSpans.span(2).parent(1).padding(1_200).bytes()), T0);
    return buffer;
  }

  @Test
  void recordsEveryMessageSizeAndTheTimeToItsAcknowledgement() {
    CompletableFuture<Void> later = new CompletableFuture<>();
    sink.answer(m -> m.chunkIndex() == 0 ? CompletableFuture.completedFuture(null) : later);
    MeteredSegmentSink metered = new MeteredSegmentSink(sink, registry, Tags.of("topic", "out"));
    SpanBuffer buffer = bufferOfTwoChunks(metered);
    CompletableFuture<FlushResult> flushed = CompletableFuture.supplyAsync(() -> buffer.drain(T0));
    Await.until("both chunks sent", Duration.ofSeconds(30), () -> sink.attempted().size() == 2);
    clock.add(Duration.ofMillis(40));
    later.complete(null);
    assertThat(flushed.join().spans()).isEqualTo(2);

    List<Message> sent = sink.acknowledged();
    DistributionSummary sizes = registry.get("segbuf.messages.size").tags("topic", "out").summary();
    assertThat(sizes.count()).isEqualTo(2);
    assertThat(sizes.totalAmount()).isEqualTo(sent.stream().mapToInt(m -> m.value().length).sum());
    assertThat(sizes.max()).isEqualTo(sent.stream().mapToInt(m -> m.value().length).max().orElseThrow());
    var acknowledged = registry.get("segbuf.sink.latency").tags("outcome", "acknowledged").timer();
    assertThat(acknowledged.count()).isEqualTo(2);
    assertThat(acknowledged.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
  }

  @Test
  void failedSendsAreTimedAsFailed() {
    sink.answer(m -> CompletableFuture.failedFuture(new IOException("broker away")));
    MeteredSegmentSink metered = new MeteredSegmentSink(sink, registry, Tags.empty());
    FlushResult result = bufferOfTwoChunks(metered).drain(T0);
    assertThat(result.retries()).isEqualTo(1);
    assertThat(registry.get("segbuf.sink.latency").tags("outcome", "failed").timer().count()).isEqualTo(2);
    assertThat(registry.get("segbuf.sink.latency").tags("outcome", "acknowledged").timer().count()).isZero();
    assertThat(registry.get("segbuf.messages.size").summary().count()).isEqualTo(2);
  }
}
