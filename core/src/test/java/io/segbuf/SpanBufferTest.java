package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpanBufferTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRACE_A = "0000000000000000000000000000000a";
  private static final String TRACE_B = "0000000000000000000000000000000b";
  private static final String TRACE_C = "0000000000000000000000000000000c";

  private final SegmentStore store = SegmentStore.inMemory();
  private final RecordingSink sink = new RecordingSink();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private SpanBuffer buffer(SpanBufferConfig.Builder config) {
    return SpanBuffer.create(config.build(), store, sink);
  }

  private static List<byte[]> bytes(TestSpans... spans) {
    List<byte[]> out = new ArrayList<>();
    for (TestSpans s : spans) {
      out.add(s.bytes());
    }
    return out;
  }

  private static JsonNode parse(Message m) throws IOException {
    return JSON.readTree(m.value());
  }

  @Test
  void segmentThatFitsIsOneMessageWithPatchedSpansInTreeOrder() throws IOException {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    OfferResult offered = buffer.offer(0, bytes(span(3).parent(1), span(2).parent(1), span(1)), T0);
    assertThat(offered.buffered()).isEqualTo(3);
    assertThat(buffer.flush(0, T0.plusSeconds(9)).segments()).isZero();

    FlushResult result = buffer.flush(0, T0.plusSeconds(10));

    assertThat(result.segments()).isEqualTo(1);
    assertThat(result.spans()).isEqualTo(3);
    assertThat(sink.acknowledged()).hasSize(1);
    JsonNode message = parse(sink.acknowledged().get(0));
    assertThat(message.has("skip_enrichment")).isFalse();
    assertThat(message.get("segment_id").asText()).isEqualTo("0000000000000001");
    assertThat(message.get("flush_id").asText()).matches("[0-9a-f]{32}");
    List<String> ids = new ArrayList<>();
    for (JsonNode s : message.get("spans")) {
      ids.add(s.get("span_id").asText());
      assertThat(s.get("is_segment").asBoolean()).isEqualTo(s.get("span_id").asText().equals("0000000000000001"));
      assertThat(s.get("attributes").get("sentry.segment.id").get("value").asText()).isEqualTo("0000000000000001");
    }
    assertThat(ids).containsExactly("0000000000000001", "0000000000000002", "0000000000000003");
    assertThat(store.usage().spans()).isZero();
  }

  @Test
  void oversizedSegmentIsFlushedInChunksMarkedSkipEnrichmentAndNothingIsDropped() throws IOException {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxMessageBytes(4096));
    List<byte[]> spans = new ArrayList<>();
    spans.add(span(1).padding(1000).bytes());
    for (int i = 2; i <= 40; i++) {
      spans.add(span(i).parent(1).padding(1000).bytes());
    }
    buffer.offer(0, spans, T0);
    buffer.flush(0, T0.plusSeconds(10));

    List<Message> messages = sink.acknowledged();
    assertThat(messages.size()).isGreaterThan(1);
    int total = 0;
    for (Message m : messages) {
      assertThat(m.value().length).isLessThanOrEqualTo(4096);
      assertThat(m.skipEnrichment()).isTrue();
      JsonNode json = parse(m);
      assertThat(json.get("skip_enrichment").asBoolean()).isTrue();
      assertThat(json.get("chunk_count").asInt()).isEqualTo(messages.size());
      total += json.get("spans").size();
    }
    assertThat(total).isEqualTo(40);
    BufferStats stats = buffer.stats();
    assertThat(stats.chunkedSegments()).isEqualTo(1);
    assertThat(stats.flushedSpans()).isEqualTo(40);
    assertThat(stats.flushedMessages()).isEqualTo(messages.size());
  }

  @Test
  void spanLargerThanTheBudgetIsSentAloneAndCountedAsOversized() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxMessageBytes(1024));
    buffer.offer(0, bytes(span(1), span(2).parent(1).padding(5000), span(3).parent(1)), T0);
    buffer.flush(0, T0.plusSeconds(10));
    assertThat(sink.acknowledged()).anySatisfy(m -> {
      assertThat(m.spanCount()).isEqualTo(1);
      assertThat(m.value().length).isGreaterThan(1024);
    });
    assertThat(buffer.stats().oversizedSpans()).isEqualTo(1);
    assertThat(buffer.stats().flushedSpans()).isEqualTo(3);
  }

  @Test
  void lateSpanOfAChunkedSegmentFormsAContinuationThatKeepsSkipEnrichment() throws IOException {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxMessageBytes(1024));
    buffer.offer(0, bytes(span(1).padding(600), span(2).parent(1).padding(600)), T0);
    buffer.flush(0, T0.plusSeconds(10));
    sink.clear();

    buffer.offer(0, bytes(span(3).parent(2)), T0.plusSeconds(20));
    buffer.flush(0, T0.plusSeconds(30));

    assertThat(sink.acknowledged()).hasSize(1);
    Message late = sink.acknowledged().get(0);
    assertThat(late.generation()).isEqualTo(1);
    assertThat(late.segment().segmentId()).isEqualTo(1);
    JsonNode json = parse(late);
    assertThat(json.get("skip_enrichment").asBoolean()).isTrue();
    assertThat(json.get("spans").get(0).get("is_segment").asBoolean()).isFalse();
    assertThat(buffer.stats().continuations()).isEqualTo(1);
  }

  @Test
  void invalidSpansGetOutcomesWithReasonsAndTheRestOfTheBatchIsBuffered() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    List<byte[]> batch = bytes(span(1), span(2).parent(1));
    batch.add(1, "{\"trace_id\":\"nothex\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    batch.add("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    batch.add(span(2).parent(1).bytes());

    OfferResult result = buffer.offer(0, batch, T0);

    assertThat(result.outcomes()).hasSize(5);
    assertThat(result.outcomes().get(0)).isEqualTo(Outcome.BUFFERED);
    assertThat(result.outcomes().get(1)).isInstanceOfSatisfying(Outcome.Invalid.class,
        i -> assertThat(i.reason()).isEqualTo(InvalidReason.TRACE_ID));
    assertThat(result.outcomes().get(3)).isInstanceOfSatisfying(Outcome.Invalid.class,
        i -> assertThat(i.reason()).isEqualTo(InvalidReason.MALFORMED_JSON));
    assertThat(result.outcomes().get(4)).isEqualTo(Outcome.DUPLICATE);
    assertThat(result.buffered()).isEqualTo(2);
    assertThat(result.invalid()).isEqualTo(2);
    assertThat(result.duplicates()).isEqualTo(1);
    assertThat(buffer.stats().invalidSpans()).containsEntry(InvalidReason.TRACE_ID, 1L)
        .containsEntry(InvalidReason.MALFORMED_JSON, 1L);
  }

  @Test
  void failedSendLeavesTheSegmentSealedAndTheRetryReproducesTheSameFlushIds() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxMessageBytes(1024));
    buffer.offer(0, bytes(span(1).padding(600), span(2).parent(1).padding(600), span(3).parent(1)), T0);
    AtomicInteger calls = new AtomicInteger();
    sink.answer(m -> calls.incrementAndGet() == 2
        ? CompletableFuture.failedFuture(new IllegalStateException("broker unavailable"))
        : CompletableFuture.completedFuture(null));

    FlushResult failed = buffer.flush(0, T0.plusSeconds(10));

    assertThat(failed.segments()).isZero();
    assertThat(failed.retries()).isEqualTo(1);
    assertThat(store.usage().spans()).isEqualTo(3);
    List<String> firstIds = sink.attempted().stream().map(Message::flushId).toList();

    sink.clear();
    buffer.offer(0, bytes(span(4).parent(1)), T0.plusSeconds(11));
    sink.answer(m -> CompletableFuture.completedFuture(null));
    FlushResult retried = buffer.flush(0, T0.plusSeconds(11));

    assertThat(retried.segments()).isEqualTo(1);
    assertThat(sink.acknowledged().stream().map(Message::flushId).toList()).isEqualTo(firstIds);
    assertThat(sink.acknowledged().stream().mapToInt(Message::spanCount).sum()).isEqualTo(3);
    assertThat(store.usage().spans()).isEqualTo(1); // the span added during the failed flush waits its turn
    assertThat(buffer.stats().sendFailures()).isEqualTo(1);
  }

  @Test
  void lateChildOfAForgottenTraceGetsAFlushIdOfItsOwn() {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(0), sink);
    buffer.offer(0, bytes(span(1), span(2).parent(1)), T0);
    buffer.flush(0, T0.plusSeconds(10));
    buffer.offer(0, bytes(span(3).parent(1)), T0.plusSeconds(20)); // the store forgot the trace: generation 0 again
    buffer.flush(0, T0.plusSeconds(90));

    List<Message> messages = sink.acknowledged();
    assertThat(messages).extracting(m -> m.segment().segmentId(), Message::generation)
        .containsExactly(tuple(1L, 0), tuple(1L, 0));
    assertThat(messages.get(1).flushId()).isNotEqualTo(messages.get(0).flushId());
  }

  @Test
  void sinkThatThrowsIsTreatedAsARetriableFailure() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1)), T0);
    sink.answer(m -> {
      throw new IllegalStateException("sink closed");
    });
    assertThat(buffer.flush(0, T0.plusSeconds(10)).retries()).isEqualTo(1);
    assertThat(store.usage().spans()).isEqualTo(1);

    sink.answer(m -> CompletableFuture.completedFuture(null));
    assertThat(buffer.flush(0, T0.plusSeconds(10)).spans()).isEqualTo(1);
    assertThat(store.usage().spans()).isZero();
  }

  @Test
  void aFailingSinkEndsTheCycleAndTheSegmentsNotSentYetStayDue() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1).trace(TRACE_A), span(2).trace(TRACE_B), span(3).trace(TRACE_C)), T0);
    sink.answer(m -> CompletableFuture.failedFuture(new IllegalStateException("broker unavailable")));

    FlushResult failed = buffer.flush(0, T0.plusSeconds(10));

    assertThat(sink.attempted()).as("one failed send ends the cycle").hasSize(1);
    assertThat(failed.retries()).isEqualTo(1);
    assertThat(store.usage().spans()).isEqualTo(3);

    sink.answer(m -> CompletableFuture.completedFuture(null));
    assertThat(buffer.flush(0, T0.plusSeconds(10)).segments()).isEqualTo(3);
    assertThat(store.usage().spans()).isZero();
  }

  @Test
  void messagesRefusedForGoodDoNotEndTheCycle() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1).trace(TRACE_A), span(2).trace(TRACE_B)), T0);
    sink.answer(m -> CompletableFuture.failedFuture(new RejectedMessageException("too large")));

    FlushResult result = buffer.flush(0, T0.plusSeconds(10));

    assertThat(result.segments()).isEqualTo(2);
    assertThat(result.rejected()).hasSize(2);
  }

  @Test
  void lateAcknowledgementIsAwaitedBeforeCompletion() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1), span(2).parent(1)), T0);
    sink.answer(m -> {
      CompletableFuture<Void> ack = new CompletableFuture<>();
      timer.schedule(() -> ack.complete(null), 200, TimeUnit.MILLISECONDS);
      return ack;
    });
    FlushResult result = buffer.flush(0, T0.plusSeconds(10));
    assertThat(result.segments()).isEqualTo(1);
    assertThat(sink.acknowledged()).hasSize(1);
    assertThat(store.usage().spans()).isZero();
  }

  @Test
  void acknowledgementThatNeverComesTimesOutAndIsRetried() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().sendTimeout(Duration.ofMillis(50)));
    buffer.offer(0, bytes(span(1)), T0);
    sink.answer(m -> new CompletableFuture<Void>());
    assertThat(buffer.flush(0, T0.plusSeconds(10)).retries()).isEqualTo(1);
    assertThat(store.usage().spans()).isEqualTo(1);
  }

  @Test
  void messageRefusedForGoodIsReportedAsRejectedAndNotRetried() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxMessageBytes(1024));
    buffer.offer(0, bytes(span(1), span(2).parent(1).padding(5000)), T0);
    sink.answer(m -> m.value().length > 1024
        ? CompletableFuture.failedFuture(new RejectedMessageException("record too large"))
        : CompletableFuture.completedFuture(null));

    FlushResult result = buffer.flush(0, T0.plusSeconds(10));

    assertThat(result.segments()).isEqualTo(1);
    assertThat(result.rejected()).singleElement().satisfies(r -> {
      assertThat(r.spans()).isEqualTo(1);
      assertThat(r.reason()).contains("too large");
    });
    assertThat(store.usage().spans()).isZero();
    assertThat(buffer.stats().rejectedSpans()).isEqualTo(1);
    assertThat(buffer.stats().flushedSpans()).isEqualTo(1);
    assertThat(buffer.flush(0, T0.plusSeconds(100)).segments()).isZero();
  }

  @Test
  void drainFlushesEverythingOnEveryShard() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1)), T0);
    buffer.offer(3, bytes(span(2).trace("ffffffffffffffffffffffffffffffff")), T0);
    FlushResult result = buffer.drain(T0);
    assertThat(result.segments()).isEqualTo(2);
    assertThat(buffer.stats().flushReasons()).containsEntry(FlushReason.SHUTDOWN, 2L);
    assertThat(store.usage().segments()).isZero();
  }

  @Test
  void drainOfOneShardLeavesTheOtherShards() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1), span(4).trace("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")), T0);
    buffer.offer(3, bytes(span(2).trace("ffffffffffffffffffffffffffffffff")), T0);
    FlushResult result = buffer.drain(0, T0);
    assertThat(result.segments()).isEqualTo(2);
    assertThat(store.shards()).containsExactly(3);
    assertThat(store.usage().spans()).isEqualTo(1);
  }

  @Test
  void drainStopsWhenTheSinkKeepsFailing() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, bytes(span(1)), T0);
    sink.answer(m -> CompletableFuture.failedFuture(new IllegalStateException("down")));
    FlushResult result = buffer.drain(T0);
    assertThat(result.segments()).isZero();
    assertThat(store.usage().spans()).isEqualTo(1);
  }

  @Test
  void bufferOverItsByteLimitFlushesTheOldestSegmentsEarly() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxBufferedBytes(3000));
    buffer.offer(0, bytes(span(1).padding(1000)), T0);
    buffer.offer(0, bytes(span(2).padding(1000).trace("ffffffffffffffffffffffffffffffff")), T0.plusSeconds(1));
    buffer.offer(0, bytes(span(3).padding(1000).trace("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")), T0.plusSeconds(2));

    buffer.flush(0, T0.plusSeconds(2));

    assertThat(store.usage().bytes()).isLessThanOrEqualTo(3000);
    assertThat(sink.acknowledged()).extracting(m -> m.segment().segmentId()).containsExactly(1L);
    assertThat(buffer.stats().flushReasons()).containsEntry(FlushReason.BUFFER_FULL, 1L);
  }

  @Test
  void configurationErrorsAreAllReportedAtOnce() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpanBufferConfig.builder()
            .timeout(Duration.ZERO).maxMessageBytes(12).maxFlushSegments(0).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "timeout must be > 0 but was PT0S",
            "maxMessageBytes must be >= 256 but was 12",
            "maxFlushSegments must be >= 1 but was 0"));
  }

  @Test
  void maxMessageBytesFollowsMaxSegmentBytesUnlessSet() {
    SpanBufferConfig config = SpanBufferConfig.builder().maxSegmentBytes(5000).build();
    assertThat(config.maxMessageBytes()).isEqualTo(5000);
    assertThat(config.toBuilder().maxMessageBytes(300).build().maxMessageBytes()).isEqualTo(300);
    assertThat(config.toBuilder().maxSegmentBytes(7000).build().maxMessageBytes()).isEqualTo(7000);
  }
}
