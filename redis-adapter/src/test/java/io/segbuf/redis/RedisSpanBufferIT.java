package io.segbuf.redis;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.SegmentSink;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The whole flush sequence over the Redis store, with a flusher that dies before its messages are acknowledged. */
class RedisSpanBufferIT {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Instant LATER = T0.plusSeconds(3600);

  /** Records every message; acknowledges them or never does. */
  private static final class RecordingSink implements SegmentSink {
    final List<Message> sent = new ArrayList<>();
    final boolean acknowledge;

    RecordingSink(boolean acknowledge) {
      this.acknowledge = acknowledge;
    }

    @Override
    public CompletionStage<?> send(Message message) {
      sent.add(message);
      return acknowledge ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(new IllegalStateException("the flusher died before the broker answered"));
    }
  }

  @Test
  void flusherKilledBetweenSendAndCompleteReflushesTheSameMessagesWithTheSameFlushIds() {
    SpanBufferConfig config = SpanBufferConfig.builder().maxMessageBytes(1024).build();
    try (RedisServers redis = RedisServers.standalone()) {
      RedisStoreOptions options = RedisStoreOptions.builder().uri(redis.uri()).build();
      RecordingSink dying = new RecordingSink(false);
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        SpanBuffer buffer = SpanBuffer.create(config, store, dying);
        buffer.offerSpans(0, TestSpans.parsed(span(1).padding(400), span(2).parent(1).padding(400),
            span(3).parent(1).padding(400), span(10)), T0);
        buffer.flush(0, LATER);
      }
      assertThat(dying.sent).isNotEmpty();

      RecordingSink next = new RecordingSink(true);
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        SpanBuffer buffer = SpanBuffer.create(config, store, next);
        buffer.offerSpans(0, TestSpans.parsed(span(4).parent(1)), LATER); // after the seal: the next generation
        buffer.flush(0, LATER);
        // the dying flusher's first failure ended its cycle: what it sent is sent again, the rest for the first time
        Set<SegmentKey> sentBefore = dying.sent.stream().map(Message::segment).collect(Collectors.toSet());
        List<String> firstIds = dying.sent.stream().map(Message::flushId).sorted().toList();
        List<String> resent = next.sent.stream().filter(m -> m.generation() == 0 && sentBefore.contains(m.segment()))
            .map(Message::flushId).sorted().toList();
        assertThat(resent).isEqualTo(firstIds);
        assertThat(next.sent).anyMatch(m -> m.segment().segmentId() == 10);
        for (Message m : next.sent) {
          if (m.generation() == 0 && sentBefore.contains(m.segment())) {
            Message before = dying.sent.stream().filter(d -> d.flushId().equals(m.flushId())).findFirst()
                .orElseThrow();
            assertThat(m.value()).isEqualTo(before.value());
          }
        }
        assertThat(buffer.drain(LATER.plusSeconds(3600)).segments()).isEqualTo(1); // span 4, generation 1
        // generation 0 of segment 1 went out in chunks, so its continuation skips enrichment too
        assertThat(next.sent).anyMatch(m -> m.generation() == 1 && m.spanCount() == 1 && m.skipEnrichment());
        assertThat(store.usage().spans()).isZero();
      }
    }
  }
}
