package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SegmentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The flush counters of {@link BufferStats} (the service's metrics) agree with what the sink was sent. */
class BufferStatsTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String OTHER_TRACE = "0000000000000000000000000000000b";

  @Test
  void flushCountersAgreeWithTheMessagesTheSinkAcknowledgedAndRefused() {
    RecordingSink sink = new RecordingSink().answer(m -> m.value().length > 4096
        ? CompletableFuture.failedFuture(new RejectedMessageException("record too large"))
        : CompletableFuture.completedFuture(null));
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(1024).build(),
        SegmentStore.inMemory(), sink);
    List<byte[]> chunked = new ArrayList<>();
    chunked.add(span(1).bytes());
    for (int i = 2; i <= 9; i++) {
      chunked.add(span(i).parent(1).padding(300).bytes());
    }
    chunked.add(span(10).parent(1).padding(6000).bytes()); // oversized, and refused by the sink
    List<byte[]> small = List.of(span(20).trace(OTHER_TRACE).bytes(), span(21).trace(OTHER_TRACE).parent(20).bytes());
    buffer.offer(0, chunked, T0);
    buffer.offer(0, small, T0);
    buffer.offer(0, List.of(small.get(0)), T0);

    FlushResult result = buffer.flush(0, T0.plusSeconds(60));

    List<Message> acked = sink.acknowledged();
    List<Message> sent = sink.attempted();
    BufferStats stats = buffer.stats();
    assertThat(result.segments()).isEqualTo(2);
    assertThat(result.messages()).isEqualTo(acked.size());
    assertThat(result.spans()).isEqualTo(11);
    assertThat(stats.offeredSpans()).isEqualTo(13);
    assertThat(stats.duplicateSpans()).isEqualTo(1);
    assertThat(stats.flushedSegments()).isEqualTo(2);
    assertThat(stats.chunkedSegments()).isEqualTo(1);
    assertThat(stats.oversizedSpans()).isEqualTo(1);
    assertThat(stats.flushedMessages()).isEqualTo(acked.size()).isEqualTo(sent.size() - 1).isGreaterThan(3);
    assertThat(stats.flushedSpans()).isEqualTo(acked.stream().mapToLong(Message::spanCount).sum()).isEqualTo(11);
    assertThat(stats.flushedMessageBytes()).isEqualTo(acked.stream().mapToLong(m -> m.value().length).sum());
    assertThat(stats.largestMessageBytes()).isEqualTo(sent.stream().mapToLong(m -> m.value().length).max()
        .orElseThrow()).isGreaterThan(6000);
    assertThat(stats.rejectedMessages()).isEqualTo(1);
    assertThat(stats.rejectedSpans()).isEqualTo(1);
    assertThat(stats.sendFailures()).isZero();
    assertThat(stats.failedSegments()).isZero();
    assertThat(stats.bufferedSpans()).isZero();
  }
}
