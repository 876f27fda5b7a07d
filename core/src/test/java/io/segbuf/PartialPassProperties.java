package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flush pass seals its segments together before it sends any; when the sink starts failing after {@code k} of its
 * messages, the segments sealed and not sent stay sealed and due. Against the reference model (each span offered
 * once): once the sink is back, every span comes out exactly once after dedupe by flush id (a segment whose send
 * failed is sent again whole), spans offered meanwhile included, and a message sent again carries the flush id and
 * bytes it was first sent with; nothing stays buffered or backed off.
 */
class PartialPassProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  @Test
  void segmentsSealedButNotSentWhenTheSinkFailsComeOutOnceLaterWithTheirFlushIds() {
    qt().withExamples(200)
        .forAll(integers().between(1, 12), integers().between(0, 40), integers().between(1, 15), longs().all())
        .checkAssert((segments, acked, limit, seed) -> check(segments, acked, limit, new Random(seed)));
  }

  private static void check(int segments, int acked, int limit, Random random) {
    SpanBufferConfig config = SpanBufferConfig.builder().maxFlushSegments(limit)
        .maxMessageBytes(SpanBufferConfig.MIN_MESSAGE_BYTES + random.nextInt(3_000)).build();
    AtomicInteger answered = new AtomicInteger();
    boolean[] failing = {true};
    RecordingSink sink = new RecordingSink().answer(m -> failing[0] && answered.getAndIncrement() >= acked
        ? CompletableFuture.failedFuture(new IllegalStateException("broker away"))
        : CompletableFuture.completedFuture(null));
    SpanBuffer buffer = SpanBuffer.create(config, SegmentStore.inMemory(), sink);
    Map<String, Integer> offered = new HashMap<>();
    for (int s = 0; s < segments; s++) {
      offer(buffer, random, offered, s, 1, T0);
    }

    buffer.flush(0, T0.plusSeconds(3_600)); // every segment due; the sink fails after `acked` messages
    for (int s = 0; s < segments; s++) {
      if (random.nextBoolean()) {
        offer(buffer, random, offered, s, 100, T0.plusSeconds(3_601)); // late: a sealed or a new generation
      }
    }
    failing[0] = false;
    for (int cycle = 0; cycle < 2 * segments && buffer.usage().spans() > 0; cycle++) {
      buffer.flush(0, T0.plusSeconds(7_200));
    }
    buffer.drain(T0.plusSeconds(7_200));

    Map<String, Integer> out = new HashMap<>();
    Set<String> flushIds = new HashSet<>();
    for (Message m : sink.acknowledged()) {
      if (!flushIds.add(m.flushId())) {
        continue; // a chunk acknowledged before its segment's retry: downstream drops it by its flush id
      }
      for (JsonNode s : tree(m.value()).get("spans")) {
        out.merge(s.get("trace_id").asText() + "/" + s.get("span_id").asText(), 1, Integer::sum);
      }
    }
    assertThat(out).isEqualTo(offered);
    Map<String, Message> byChunk = new HashMap<>();
    for (Message m : sink.attempted()) {
      Message first = byChunk.putIfAbsent(m.segment() + "/" + m.generation() + "/" + m.chunkIndex(), m);
      if (first != null) {
        assertThat(m.flushId()).as("flush id of %s sent again", m).isEqualTo(first.flushId());
        assertThat(m.value()).as("bytes of %s sent again", m).isEqualTo(first.value());
      }
    }
    assertThat(buffer.usage().spans()).isZero();
    assertThat(buffer.backedOffSegments()).isZero();
  }

  /** A root (with {@code firstId} 1) or late children of segment {@code s}, each in a trace of its own. */
  private static void offer(SpanBuffer buffer, Random random, Map<String, Integer> offered, int s, long firstId,
      Instant now) {
    String trace = String.format("%032x", 0x100 + s);
    List<byte[]> spans = new ArrayList<>();
    int children = random.nextInt(4);
    for (long id = firstId; id <= firstId + children; id++) {
      TestSpans span = span(id).trace(trace).padding(random.nextInt(1_500));
      if (id != 1) {
        span.parent(1);
      }
      spans.add(span.bytes());
      offered.put(trace + "/" + String.format("%016x", id), 1);
    }
    buffer.offer(0, spans, now);
  }

  private static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
