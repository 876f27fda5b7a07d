package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The buffer end to end with random traffic, random timeouts, redeliveries and a sink that fails at random:
 * every valid span is acknowledged exactly once after deduplication by flush id, a flush id always names the
 * same bytes, every message is within budget unless it holds one oversized span, and {@code skip_enrichment}
 * is set exactly on chunked generations and the continuations of chunked segments.
 */
class SpanBufferProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_000_000L;

  @Test
  void everySpanIsAcknowledgedExactlyOnceWhateverTheFailures() {
    qt().withExamples(120)
        .forAll(longs().all(), integers().between(1, 150))
        .checkAssert((seed, n) -> run(new Random(seed), n));
  }

  private static void run(Random random, int n) {
    int maxMessageBytes = 256 + random.nextInt(6000);
    SpanBufferConfig config = SpanBufferConfig.builder()
        .maxMessageBytes(maxMessageBytes)
        .chunking(random.nextBoolean() ? ChunkingStrategy.GREEDY : ChunkingStrategy.SUBTREE)
        .timeout(Duration.ofSeconds(60))
        .rootTimeout(Duration.ofSeconds(10))
        .build();
    double failureRate = random.nextInt(3) * 0.2;
    RecordingSink sink = new RecordingSink().answer(m -> random.nextDouble() < failureRate
        ? CompletableFuture.failedFuture(new IllegalStateException("unavailable"))
        : CompletableFuture.completedFuture(null));
    SpanBuffer buffer = SpanBuffer.create(config, SegmentStore.inMemory(), sink);

    Map<String, Integer> expected = new TreeMap<>();
    long now = T0;
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String trace = "0000000000000000000000000000000" + random.nextInt(3);
      long id = 1 + i;
      TestSpans span = TestSpans.span(id).trace(trace).padding(random.nextInt(random.nextInt(10) == 0 ? 8000 : 600));
      if (random.nextInt(5) != 0 && i > 0) {
        span.parent(1 + random.nextInt(i + 3));
      }
      byte[] bytes = span.bytes();
      sent.add(bytes);
      expected.put(trace + ":" + id, 1);
      List<byte[]> batch = new ArrayList<>(List.of(bytes));
      if (random.nextInt(8) == 0) {
        batch.add(sent.get(random.nextInt(sent.size()))); // a redelivery
      }
      if (random.nextInt(6) == 0) {
        now += random.nextInt(3) == 0 ? 70_000 : 5_000;
      }
      buffer.offer(0, batch, Instant.ofEpochMilli(now));
      buffer.flush(0, Instant.ofEpochMilli(now));
    }
    sink.answer(m -> CompletableFuture.completedFuture(null));
    buffer.drain(Instant.ofEpochMilli(now));

    Map<String, byte[]> byFlushId = new HashMap<>();
    Map<String, Integer> acknowledged = new TreeMap<>();
    Map<String, List<Message>> generations = new TreeMap<>();
    for (Message m : sink.acknowledged()) {
      byte[] earlier = byFlushId.putIfAbsent(m.flushId(), m.value());
      if (earlier != null) {
        assertThat(m.value()).as("a flush id always names the same bytes").isEqualTo(earlier);
        continue;
      }
      JsonNode json = parse(m.value());
      assertThat(m.value().length <= maxMessageBytes || json.get("spans").size() == 1).isTrue();
      for (JsonNode s : json.get("spans")) {
        acknowledged.merge(s.get("trace_id").asText() + ":" + Long.parseLong(s.get("span_id").asText(), 16), 1,
            Integer::sum);
      }
      generations.computeIfAbsent(m.segment() + "#" + String.format("%05d", m.generation()), k -> new ArrayList<>())
          .add(m);
    }
    assertThat(acknowledged).isEqualTo(expected);
    assertThat(buffer.stats().bufferedSpans()).isZero();

    Map<SegmentKey, Boolean> chunkedBefore = new HashMap<>();
    for (List<Message> generation : generations.values()) {
      Message first = generation.get(0);
      boolean chunked = generation.size() > 1 || first.value().length > maxMessageBytes;
      boolean inherited = chunkedBefore.getOrDefault(first.segment(), false);
      for (Message m : generation) {
        assertThat(m.skipEnrichment()).isEqualTo(chunked || inherited);
        assertThat(parse(m.value()).path("skip_enrichment").asBoolean(false)).isEqualTo(chunked || inherited);
        assertThat(m.chunkCount()).isEqualTo(generation.size());
      }
      chunkedBefore.put(first.segment(), chunked || inherited);
    }
  }

  private static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
