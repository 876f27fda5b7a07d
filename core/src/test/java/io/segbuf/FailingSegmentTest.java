package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.spi.SegmentStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One segment whose flush throws is backed off alone: the rest of its shard flushes. */
class FailingSegmentTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String BAD = "0000000000000000000000000000000a";
  private static final String GOOD = "0000000000000000000000000000000b";

  private final TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory());
  private final RecordingSink sink = new RecordingSink();

  private SpanBuffer buffer(int maxFlushSegments) {
    return SpanBuffer.create(SpanBufferConfig.builder().maxFlushSegments(maxFlushSegments).build(), store, sink);
  }

  private static List<byte[]> bytes(TestSpans... spans) {
    return java.util.Arrays.stream(spans).map(TestSpans::bytes).toList();
  }

  @Test
  void segmentThatFailsIsBackedOffAloneAndTheRestOfTheShardFlushes() {
    SpanBuffer buffer = buffer(1);
    // the bad segment is the oldest: listed first at every flush
    buffer.offer(0, bytes(span(1).trace(BAD)), T0);
    buffer.offer(0, bytes(span(2).trace(GOOD), span(3).trace(GOOD).parent(2)), T0.plusSeconds(1));
    store.refuseFlushes(TraceId.parse(BAD));

    FlushResult first = buffer.flush(0, T0.plusSeconds(20));

    assertThat(first.failed()).singleElement().satisfies(f -> {
      assertThat(f.key().traceId()).isEqualTo(TraceId.parse(BAD));
      assertThat(f.attempts()).isEqualTo(1);
    });
    assertThat(first.segments()).isEqualTo(1);
    assertThat(first.completed()).extracting(Span::spanId).containsExactlyInAnyOrder(2L, 3L);
    assertThat(sink.acknowledged()).hasSize(1);
    assertThat(buffer.stats().failedSegments()).isEqualTo(1);

    // backed off: not tried again before its delay has run out (event time)
    assertThat(buffer.flush(0, T0.plusMillis(20_500)).failed()).isEmpty();
    assertThat(buffer.flush(0, T0.plusSeconds(21)).failed()).singleElement()
        .satisfies(f -> assertThat(f.attempts()).isEqualTo(2));
    assertThat(buffer.flush(0, T0.plusSeconds(22)).failed()).isEmpty();

    store.refuseFlushes(null);
    FlushResult healed = buffer.flush(0, T0.plusSeconds(23));
    assertThat(healed.failed()).isEmpty();
    assertThat(healed.completed()).extracting(Span::spanId).containsExactly(1L);
    assertThat(store.usage().spans()).isZero();
    assertThat(buffer.stats().failedSegments()).isEqualTo(2);
  }

  @Test
  void drainFlushesEverythingButTheFailingSegment() {
    SpanBuffer buffer = buffer(500);
    buffer.offer(0, bytes(span(1).trace(BAD), span(2).trace(GOOD)), T0);
    store.refuseFlushes(TraceId.parse(BAD));

    FlushResult drained = buffer.drain(0, T0);

    assertThat(drained.completed()).extracting(Span::spanId).containsExactly(2L);
    assertThat(drained.failed()).hasSize(1);
    assertThat(store.usage().spans()).isEqualTo(1);
  }

  @Test
  void offeredPositionsComeBackWithTheCompletedSpans() {
    SpanBuffer buffer = buffer(500);
    buffer.offer(0, bytes(span(1), span(2).parent(1), span(1)), new long[] {10, 11, 12}, T0);

    FlushResult result = buffer.flush(0, T0.plusSeconds(10));

    // the third is a duplicate of the first: never stored, so never completed
    assertThat(result.completed()).extracting(Span::position).containsExactlyInAnyOrder(10L, 11L);
  }
}
