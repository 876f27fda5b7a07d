package io.segbuf.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ChunkingStrategy;
import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.OfferResult;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The README's "Embed it" example, kept compiling and working. */
class EmbeddingExampleTest {

  @Test
  void readmeExampleBuffersAndFlushesASegment() {
    List<Message> sent = new ArrayList<>();
    // --- README example starts
    SpanBufferConfig config = SpanBufferConfig.builder()
        .rootTimeout(Duration.ofSeconds(10))
        .maxMessageBytes(1024 * 1024)
        .chunking(ChunkingStrategy.SUBTREE)
        .build();
    SegmentSink sink = message -> {
      sent.add(message); // a real sink produces to Kafka and completes when acknowledged
      return CompletableFuture.completedFuture(null);
    };
    SpanBuffer buffer = SpanBuffer.create(config, SegmentStore.inMemory(), sink);

    Instant now = Instant.ofEpochSecond(1_700_000_000);
    OfferResult offered = buffer.offer(0, List.of(
        "{\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"aaaaaaaaaaaaaaaa\",\"project_id\":1,\"end_timestamp\":1700000000.1}".getBytes(StandardCharsets.UTF_8),
        "{\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"bbbbbbbbbbbbbbbb\",\"parent_span_id\":\"aaaaaaaaaaaaaaaa\",\"project_id\":1,\"end_timestamp\":1700000000.2}".getBytes(StandardCharsets.UTF_8)),
        now);
    FlushResult flushed = buffer.flush(0, now.plusSeconds(10)); // root timeout passed: one message
    buffer.drain(now.plusSeconds(10)); // on shutdown
    // --- README example ends
    assertThat(offered.buffered()).isEqualTo(2);
    assertThat(flushed.messages()).isEqualTo(1);
    assertThat(sent).singleElement().satisfies(m -> {
      assertThat(m.segment().segmentIdHex()).isEqualTo("aaaaaaaaaaaaaaaa");
      assertThat(m.spanCount()).isEqualTo(2);
    });
  }
}
