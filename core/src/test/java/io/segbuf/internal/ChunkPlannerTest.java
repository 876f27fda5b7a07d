package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static io.segbuf.internal.ChunkerProperties.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segbuf.ChunkingStrategy;
import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {
  private static final TraceId TRACE = TraceId.parse(TestSpans.TRACE);

  @Test
  void segmentThatFitsIsOneMessageWithPatchedSpans() {
    List<Span> spans = TestSpans.parsed(span(2).parent(1), span(1).noAttributes());

    List<Message> messages = flush(spans, 1, ChunkingStrategy.GREEDY, 10_000, 0, false);

    assertThat(messages).hasSize(1);
    // flush_id: the first 32 hex digits of SHA-256 over "7:<trace>:" and the value after the id, as recomputed by hand
    assertThat(new String(messages.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(
        "{\"flush_id\":\"2d427acc01fc8ec26d179c92358b6c8d\",\"segment_id\":\"0000000000000001\","
            + "\"generation\":0,\"chunk_index\":0,\"chunk_count\":1,\"spans\":["
            + "{\"is_segment\":true,"
            + "\"attributes\":{\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"0000000000000001\"}},"
            + "\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"0000000000000001\","
            + "\"project_id\":7,\"end_timestamp\":1.7000000005E9,\"name\":\"op 0000000000000001 café\"},"
            + "{\"is_segment\":false,"
            + "\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"0000000000000002\","
            + "\"parent_span_id\":\"0000000000000001\",\"project_id\":7,\"end_timestamp\":1.7000000005E9,"
            + "\"name\":\"op 0000000000000002 café\",\"attributes\":{"
            + "\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"0000000000000001\"},"
            + "\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}}}"
            + "]}");
    assertThat(messages.get(0).skipEnrichment()).isFalse();
    assertThat(messages.get(0).spanCount()).isEqualTo(2);
  }

  @Test
  void segmentOfExactlyTheBudgetIsOneMessageAndOneByteMoreIsChunked() {
    List<Span> spans = TestSpans.parsed(span(1), span(2).parent(1).padding(300), span(3).parent(1).padding(300));
    int whole = flush(spans, 1, ChunkingStrategy.GREEDY, 100_000, 3, false).get(0).value().length;

    List<Message> fits = flush(spans, 1, ChunkingStrategy.GREEDY, whole, 3, false);
    List<Message> over = flush(spans, 1, ChunkingStrategy.GREEDY, whole - 1, 3, false);

    assertThat(fits).hasSize(1);
    assertThat(fits.get(0).value()).hasSize(whole);
    assertThat(fits.get(0).skipEnrichment()).isFalse();
    assertThat(over).hasSizeGreaterThan(1);
    assertThat(over).allSatisfy(m -> {
      assertThat(m.skipEnrichment()).isTrue();
      assertThat(m.value().length).isLessThanOrEqualTo(whole - 1);
    });
  }

  @Test
  void continuationOfAChunkedSegmentKeepsSkipEnrichmentEvenWhenItFits() {
    List<Span> spans = TestSpans.parsed(span(5).parent(1));

    List<Message> messages = flush(spans, 1, ChunkingStrategy.GREEDY, 10_000, 1, true);

    assertThat(messages).hasSize(1);
    assertThat(messages.get(0).skipEnrichment()).isTrue();
    assertThat(parse(messages.get(0).value()).get("skip_enrichment").booleanValue()).isTrue();
  }

  @Test
  void spanLargerThanTheBudgetGoesAloneAndIsCountedAsOversized() {
    List<Span> spans = TestSpans.parsed(span(1), span(2).parent(1).padding(5_000), span(3).parent(1));
    SegmentOrder order = SegmentOrder.of(spans, 1);

    for (ChunkingStrategy strategy : ChunkingStrategy.values()) {
      ChunkPlan plan = new ChunkPlanner(strategy, 1_000).plan(order, 1, 0, false);
      List<Message> messages = MessageEncoder.encode(key(1), 0, order, plan);

      assertThat(plan.oversizedSpans()).isEqualTo(1);
      assertThat(plan.chunked()).isTrue();
      assertThat(messages).extracting(Message::spanCount).containsExactly(1, 1, 1);
      assertThat(messages.get(0).value().length).isLessThanOrEqualTo(1_000);
      assertThat(messages.get(1).value().length).isGreaterThan(5_000);
      assertThat(messages.get(2).value().length).isLessThanOrEqualTo(1_000);
      assertThat(spanIds(messages)).containsExactly(1L, 2L, 3L);
      assertThat(messages).allSatisfy(m -> assertThat(m.skipEnrichment()).isTrue());
    }
  }

  @Test
  void singleSpanSegmentLargerThanTheBudgetIsOneOversizedChunk() {
    List<Span> spans = TestSpans.parsed(span(1).padding(2_000));
    SegmentOrder order = SegmentOrder.of(spans, 1);

    ChunkPlan plan = new ChunkPlanner(ChunkingStrategy.GREEDY, 1_000).plan(order, 1, 0, false);
    List<Message> messages = MessageEncoder.encode(key(1), 0, order, plan);

    assertThat(messages).hasSize(1);
    assertThat(plan.oversizedSpans()).isEqualTo(1);
    assertThat(messages.get(0).skipEnrichment()).isTrue();
    assertThat(messages.get(0).value()).hasSize(plan.chunks().get(0).messageBytes());
  }

  /** Sentry PR 111820: a segment over the limit is flushed in chunks under the limit, and no span is dropped. */
  @Test
  void segmentOverTheLimitIsFlushedInChunksAndNothingIsDropped() {
    List<Span> spans = new ArrayList<>();
    spans.add(span(1).padding(1_000).parsed());
    for (long id = 2; id <= 60; id++) {
      spans.add(span(id).parent(id <= 10 ? 1 : id / 5).padding(1_000).parsed());
    }
    int limit = 10_000;

    for (ChunkingStrategy strategy : ChunkingStrategy.values()) {
      List<Message> messages = flush(spans, 1, strategy, limit, 0, false);

      assertThat(messages).hasSizeGreaterThanOrEqualTo(9); // 60 spans of about 1,300 bytes, at most 7 to a message
      Set<String> flushIds = new HashSet<>();
      for (int i = 0; i < messages.size(); i++) {
        Message m = messages.get(i);
        JsonNode value = parse(m.value());
        assertThat(m.value().length).isLessThanOrEqualTo(limit);
        assertThat(value.get("skip_enrichment").booleanValue()).isTrue();
        assertThat(value.get("chunk_index").intValue()).isEqualTo(i);
        assertThat(value.get("chunk_count").intValue()).isEqualTo(messages.size());
        flushIds.add(value.get("flush_id").asText());
      }
      assertThat(flushIds).hasSize(messages.size());
      assertThat(spanIds(messages)).hasSize(60).doesNotHaveDuplicates().contains(1L, 2L, 59L, 60L);
      assertThat(spanIds(messages).get(0)).isEqualTo(1L);
    }
  }

  @Test
  void budgetsThatMakeNineTenElevenNinetyNineOrAHundredChunksAreMetToTheByte() {
    for (int count : new int[] {9, 10, 11, 99, 100}) {
      for (int perChunk : new int[] {1, 3}) {
        List<Span> spans = sameSizeOrphans(count * perChunk);
        int spanBytes = Spans.patchedLength(spans.get(0), SEGMENT);
        // the last chunk has the longest index and must hold perChunk spans exactly
        int budget = MessageEncoder.prefixLength(0, count - 1, count, true) + perChunk * spanBytes + perChunk - 1
            + MessageEncoder.suffixLength();

        for (ChunkingStrategy strategy : ChunkingStrategy.values()) {
          String what = count + " chunks of " + perChunk + " by " + strategy;
          ChunkPlan plan = plan(spans, strategy, budget);
          List<Message> messages = MessageEncoder.encode(key(SEGMENT), 0, SegmentOrder.of(spans, SEGMENT), plan);

          assertThat(messages).as(what).hasSize(count);
          assertThat(plan.oversizedSpans()).as(what).isZero();
          assertThat(messages).as(what).allSatisfy(m -> {
            assertThat(m.spanCount()).isEqualTo(perChunk);
            assertThat(m.value().length).isLessThanOrEqualTo(budget);
            assertThat(parse(m.value()).get("chunk_count").intValue()).isEqualTo(count);
          });
          assertThat(messages.get(count - 1).value()).as(what).hasSize(budget);

          // one byte less: the last chunk cannot hold its spans any more
          ChunkPlan tighter = plan(spans, strategy, budget - 1);
          if (perChunk == 1) {
            assertThat(tighter.chunks()).as(what).hasSize(count);
            assertThat(tighter.oversizedSpans()).as(what).isPositive();
          } else {
            assertThat(tighter.chunks()).as(what).hasSizeGreaterThan(count);
            assertThat(tighter.oversizedSpans()).as(what).isZero();
            assertThat(tighter.chunks()).as(what)
                .allSatisfy(c -> assertThat(c.messageBytes()).isLessThanOrEqualTo(budget - 1));
          }
        }
      }
    }
  }

  @Test
  void oneSpanMoreThanNineOrNinetyNineFullChunksAddsAChunkWithALongerCountAndStillMeetsTheBudget() {
    for (int count : new int[] {9, 99}) {
      List<Span> spans = sameSizeOrphans(count * 3 + 1);
      int spanBytes = Spans.patchedLength(spans.get(0), SEGMENT);
      int budget = MessageEncoder.prefixLength(0, count - 1, count, true) + 3 * spanBytes + 2
          + MessageEncoder.suffixLength();

      for (ChunkingStrategy strategy : ChunkingStrategy.values()) {
        SegmentOrder order = SegmentOrder.of(spans, SEGMENT);
        ChunkPlan plan = plan(spans, strategy, budget);
        List<Message> messages = MessageEncoder.encode(key(SEGMENT), 0, order, plan);

        assertThat(messages).hasSizeGreaterThan(count);
        assertThat(plan.oversizedSpans()).isZero();
        for (Message m : messages) {
          assertThat(m.value().length).isLessThanOrEqualTo(budget);
          assertThat(parse(m.value()).get("chunk_count").intValue()).isEqualTo(messages.size());
        }
        assertThat(messages.stream().mapToInt(Message::spanCount).sum()).isEqualTo(spans.size());
      }
    }
  }

  private static final long SEGMENT = 0x40;

  /** Spans of one patched size whose root has not arrived: each is a tree of its own. */
  private static List<Span> sameSizeOrphans(int n) {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      spans.add(span(0x1000 + i).parent(SEGMENT).padding(150).parsed());
    }
    return spans;
  }

  private static ChunkPlan plan(List<Span> spans, ChunkingStrategy strategy, int budget) {
    return new ChunkPlanner(strategy, budget).plan(SegmentOrder.of(spans, SEGMENT), SEGMENT, 0, false);
  }

  private static List<Message> flush(List<Span> spans, long segmentId, ChunkingStrategy strategy, int budget,
      int generation, boolean inherited) {
    SegmentOrder order = SegmentOrder.of(spans, segmentId);
    ChunkPlan plan = new ChunkPlanner(strategy, budget).plan(order, segmentId, generation, inherited);
    return MessageEncoder.encode(key(segmentId), generation, order, plan);
  }

  private static SegmentKey key(long segmentId) {
    return new SegmentKey(TestSpans.PROJECT, TRACE, segmentId);
  }

  private static List<Long> spanIds(List<Message> messages) {
    List<Long> ids = new ArrayList<>();
    for (Message m : messages) {
      for (JsonNode s : parse(m.value()).get("spans")) {
        ids.add(Long.parseUnsignedLong(s.get("span_id").asText(), 16));
      }
    }
    return ids;
  }
}
