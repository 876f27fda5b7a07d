package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.internal.Spans;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The public {@link Chunker} gives, for a segment generation, byte for byte the messages that {@link SpanBuffer}'s
 * flush sends for it: random trees (orphans, cycles, explicit segment ids, same-id spans) over two traces,
 * offered in waves so that continuations form, random budgets and both strategies. The reference model for
 * {@code skip_enrichment}: a generation inherits it when an earlier generation of its segment said it.
 */
class SegmentFlushProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String[] TRACES = {"0000000000000000000000000000000a", "0000000000000000000000000000000b"};

  @Test
  void theChunkerGivesTheFlushedMessagesOfEverySegmentGeneration() {
    qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> check(new Random(seed)));
  }

  private static void check(Random random) {
    SpanBufferConfig config = SpanBufferConfig.builder()
        .maxMessageBytes(SpanBufferConfig.MIN_MESSAGE_BYTES + random.nextInt(5000))
        .chunking(random.nextBoolean() ? ChunkingStrategy.GREEDY : ChunkingStrategy.SUBTREE)
        .build();
    RecordingSink sink = new RecordingSink();
    SpanBuffer buffer = SpanBuffer.create(config, SegmentStore.inMemory(), sink);
    List<Span> spans = new ArrayList<>(TestSpans.randomTrees(random, 60, 800, TRACES));
    Collections.shuffle(spans, random);
    int waves = 1 + random.nextInt(3);
    Instant now = T0;
    for (int w = 0; w < waves; w++) {
      List<Span> wave = spans.subList(w * spans.size() / waves, (w + 1) * spans.size() / waves);
      List<byte[]> bytes = new ArrayList<>();
      wave.forEach(s -> bytes.add(s.bytes()));
      buffer.offer(0, bytes, now);
      now = now.plus(config.flushPolicy().timeout()).plusSeconds(1);
      buffer.flush(0, now); // everything offered so far is due: later waves form continuations
    }
    buffer.drain(now);

    Map<String, List<Message>> generations = new LinkedHashMap<>();
    for (Message m : sink.acknowledged()) {
      generations.computeIfAbsent(m.segment() + "/" + m.generation(), k -> new ArrayList<>()).add(m);
    }
    Chunker chunker = new Chunker(config.chunking(), config.maxMessageBytes());
    Map<SegmentKey, Boolean> skipped = new HashMap<>();
    for (List<Message> flushed : generations.values()) {
      Message first = flushed.get(0);
      SegmentKey key = first.segment();
      boolean inherited = skipped.getOrDefault(key, false);
      List<byte[]> input = originals(flushed, spans);
      Collections.shuffle(input, random);
      Segment segment = random.nextBoolean()
          ? Segment.parse(key, first.generation(), inherited, input).segment()
          : Segment.of(key, first.generation(), inherited, parsed(input));
      assertThat(segment).isNotNull();
      ChunkResult result = chunker.chunk(segment);
      assertThat(result.messages()).hasSameSizeAs(flushed);
      for (int i = 0; i < flushed.size(); i++) {
        Message expected = flushed.get(i);
        Message actual = result.messages().get(i);
        assertThat(new String(actual.value(), StandardCharsets.UTF_8)).as("%s", expected)
            .isEqualTo(new String(expected.value(), StandardCharsets.UTF_8));
        assertThat(actual.value()).isEqualTo(expected.value());
        assertThat(actual.toString()).isEqualTo(expected.toString());
        assertThat(actual.flushId()).isEqualTo(expected.flushId());
      }
      skipped.put(key, result.skipEnrichment());
    }
  }

  /** The original bytes of the spans a generation's messages carry, matched by their patched JSON. */
  private static List<byte[]> originals(List<Message> flushed, List<Span> offered) {
    long segmentId = flushed.get(0).segment().segmentId();
    Map<JsonNode, ArrayDeque<byte[]>> byPatched = new HashMap<>();
    for (Span s : offered) {
      byte[] patched = new byte[Spans.patchedLength(s, segmentId)];
      Spans.writePatched(s, segmentId, patched, 0);
      byPatched.computeIfAbsent(tree(patched), k -> new ArrayDeque<>()).add(s.bytes());
    }
    List<byte[]> originals = new ArrayList<>();
    for (Message m : flushed) {
      for (JsonNode sent : tree(m.value()).get("spans")) {
        ArrayDeque<byte[]> candidates = byPatched.get(sent);
        assertThat(candidates).as("an offered span patched as %s", sent).isNotNull().isNotEmpty();
        originals.add(candidates.poll());
      }
    }
    return originals;
  }

  private static List<Span> parsed(List<byte[]> spans) {
    List<Span> parsed = new ArrayList<>();
    spans.forEach(b -> parsed.add((Span) Span.parse(b)));
    return parsed;
  }

  private static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
