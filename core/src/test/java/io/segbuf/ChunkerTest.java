package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private static final SegmentKey KEY = new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), 1);
  private static final List<Span> SPANS =
      TestSpans.parsed(span(1).padding(300), span(2).parent(1).padding(300), span(3).parent(1).padding(300));

  @Test
  void refusesABudgetBelowTheSmallestMessage() {
    assertThatThrownBy(() -> new Chunker(ChunkingStrategy.GREEDY, SpanBufferConfig.MIN_MESSAGE_BYTES - 1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("maxMessageBytes must be >= 256 but was 255");
    Chunker chunker = new Chunker(ChunkingStrategy.SUBTREE, SpanBufferConfig.MIN_MESSAGE_BYTES);
    assertThat(chunker.strategy()).isEqualTo(ChunkingStrategy.SUBTREE);
    assertThat(chunker.maxMessageBytes()).isEqualTo(SpanBufferConfig.MIN_MESSAGE_BYTES);
  }

  @Test
  void aSegmentThatFitsIsOneMessageWithoutSkipEnrichment() {
    ChunkResult result = new Chunker(ChunkingStrategy.GREEDY, 1 << 20).chunk(Segment.of(KEY, 0, false, SPANS));
    assertThat(result.chunked()).isFalse();
    assertThat(result.skipEnrichment()).isFalse();
    assertThat(result.oversizedSpans()).isZero();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.spanCount()).isEqualTo(3);
      assertThat(m.chunkCount()).isEqualTo(1);
      assertThat(new String(m.value(), StandardCharsets.UTF_8)).doesNotContain("skip_enrichment");
    });
  }

  @Test
  void aContinuationOfAChunkedSegmentSaysSkipEnrichmentEvenWhenItFits() {
    ChunkResult result = new Chunker(ChunkingStrategy.GREEDY, 1 << 20).chunk(Segment.of(KEY, 1, true, SPANS));
    assertThat(result.chunked()).isFalse();
    assertThat(result.skipEnrichment()).isTrue();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.generation()).isEqualTo(1);
      assertThat(new String(m.value(), StandardCharsets.UTF_8)).contains(",\"skip_enrichment\":true,");
    });
  }

  @Test
  void aSegmentOverTheBudgetIsChunkedWithinItAndAnOversizedSpanGoesAlone() {
    List<Span> spans = TestSpans.parsed(span(1).padding(100), span(2).parent(1).padding(100),
        span(3).parent(1).padding(2000));
    int budget = 1200;
    ChunkResult result = new Chunker(ChunkingStrategy.GREEDY, budget).chunk(Segment.of(KEY, 0, false, spans));
    assertThat(result.chunked()).isTrue();
    assertThat(result.skipEnrichment()).isTrue();
    assertThat(result.oversizedSpans()).isEqualTo(1);
    assertThat(result.messages()).extracting(Message::spanCount).containsExactly(2, 1);
    assertThat(result.messages().get(0).value().length).isLessThanOrEqualTo(budget);
    assertThat(result.messages().get(1).value().length).isGreaterThan(budget);
    assertThat(result.messages()).allSatisfy(m -> assertThat(m.skipEnrichment()).isTrue());
  }

  @Test
  void theSameSegmentGivesTheSameBytesAndFlushIds() {
    Chunker chunker = new Chunker(ChunkingStrategy.SUBTREE, 1500);
    List<Message> first = chunker.chunk(Segment.of(KEY, 0, false, SPANS)).messages();
    List<Message> again = chunker.chunk(Segment.of(KEY, 0, false, List.of(SPANS.get(2), SPANS.get(0),
        SPANS.get(1)))).messages();
    assertThat(first).hasSizeGreaterThan(1).hasSameSizeAs(again);
    for (int i = 0; i < first.size(); i++) {
      assertThat(again.get(i).value()).isEqualTo(first.get(i).value());
      assertThat(again.get(i).flushId()).isEqualTo(first.get(i).flushId());
    }
  }

  /** A sink may read messages on a thread of its own (segbuf replay does): the bytes do not depend on which. */
  @Test
  void messagesReadOnAnotherThreadHaveTheSameBytesAndTheirPlannedSize() throws InterruptedException {
    Chunker chunker = new Chunker(ChunkingStrategy.GREEDY, 1000);
    List<Message> here = chunker.chunk(Segment.of(KEY, 0, false, SPANS)).messages();
    List<Message> there = chunker.chunk(Segment.of(KEY, 0, false, SPANS)).messages();
    Thread reader = new Thread(() -> there.forEach(Message::value));
    reader.start();
    reader.join();
    assertThat(there).hasSizeGreaterThan(1).hasSameSizeAs(here);
    for (int i = 0; i < here.size(); i++) {
      assertThat(there.get(i).value()).isEqualTo(here.get(i).value()).hasSize(here.get(i).size());
      assertThat(there.get(i).flushId()).isEqualTo(Chunker.flushId(KEY, here.get(i).value()));
    }
  }

  /** The rule as a consumer in another language would write it, from the message bytes alone. */
  @Test
  void flushIdIsTheFirst128BitsOfSha256OverProjectTraceAndTheBytesAfterTheId() throws Exception {
    Chunker chunker = new Chunker(ChunkingStrategy.GREEDY, 1500);
    for (Message m : chunker.chunk(Segment.of(KEY, 4, false, SPANS)).messages()) {
      byte[] value = m.value();
      String prefix = "{\"flush_id\":\"";
      String id = new String(value, prefix.length(), 32, StandardCharsets.US_ASCII);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((TestSpans.PROJECT + ":" + TestSpans.TRACE + ":").getBytes(StandardCharsets.US_ASCII));
      sha.update(value, prefix.length() + 32, value.length - prefix.length() - 32);
      String expected = HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 16));
      assertThat(id).isEqualTo(expected);
      assertThat(m.flushId()).isEqualTo(expected);
      assertThat(Chunker.flushId(KEY, value)).isEqualTo(expected);
    }
  }
}
