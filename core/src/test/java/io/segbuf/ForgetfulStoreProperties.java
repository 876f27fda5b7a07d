package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Stores that forget: a tiny memory of flushed traces, a tiny limit of flushed spans per trace, and traces moving
 * between two stores as partitions move between consumers, while random traffic (late children, redeliveries,
 * second versions of a span id) and random sink failures run. Every span comes out at least once, and one flush
 * id names one byte string across the whole run, whichever store made it.
 */
class ForgetfulStoreProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TRACES = {
    "00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003"
  };

  @Test
  void everySpanComesOutAndAFlushIdNamesOneByteString() {
    qt().withExamples(150).forAll(longs().all()).checkAssert(ForgetfulStoreProperties::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    RecordingSink sink = new RecordingSink();
    sink.answer(m -> random.nextInt(4) == 0
        ? CompletableFuture.failedFuture(new IllegalStateException("broker away"))
        : CompletableFuture.completedFuture(null));
    SpanBufferConfig config = SpanBufferConfig.builder().maxMessageBytes(512 + random.nextInt(2048)).build();
    List<SpanBuffer> buffers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      buffers.add(SpanBuffer.create(config, SegmentStore.inMemory(random.nextInt(6), random.nextInt(5)), sink));
    }
    int[] owner = new int[TRACES.length];
    Set<String> offered = new TreeSet<>();
    List<byte[]> sent = new ArrayList<>();
    long now = 1_700_000_000_000L;
    for (int step = 0; step < 120; step++) {
      int trace = random.nextInt(TRACES.length);
      List<byte[]> batch = new ArrayList<>();
      for (int n = 1 + random.nextInt(4); n > 0; n--) {
        if (!sent.isEmpty() && random.nextInt(6) == 0) {
          batch.add(sent.get(random.nextInt(sent.size()))); // a redelivery: its trace's shard is where it was sent
          continue;
        }
        long id = 1 + random.nextInt(25);
        int version = random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 0;
        TestSpans span = TestSpans.span(id).trace(TRACES[trace]).padding(version * 7);
        if (random.nextInt(4) != 0) {
          span.parent(1 + random.nextInt(30));
        }
        byte[] bytes = span.bytes();
        sent.add(bytes);
        offered.add(TRACES[trace] + ":" + id + ":" + version * 7);
        batch.add(bytes);
      }
      List<byte[]> mine = new ArrayList<>();
      for (byte[] b : batch) {
        if (shardOf(b) == trace) {
          mine.add(b);
        }
      }
      buffers.get(owner[trace]).offer(trace, mine, Instant.ofEpochMilli(now));
      if (random.nextInt(5) == 0) {
        now += random.nextInt(3) == 0 ? 70_000 : 11_000;
      }
      for (int shard = 0; shard < TRACES.length; shard++) {
        buffers.get(owner[shard]).flush(shard, Instant.ofEpochMilli(now));
      }
      if (random.nextInt(15) == 0) { // the partition moves: the old owner drains it as far as the sink lets it
        int moved = random.nextInt(TRACES.length);
        buffers.get(owner[moved]).drain(moved, Instant.ofEpochMilli(now));
        owner[moved] = 1 - owner[moved];
      }
    }
    sink.answer(m -> CompletableFuture.completedFuture(null));
    for (SpanBuffer buffer : buffers) {
      buffer.drain(Instant.ofEpochMilli(now));
      assertThat(buffer.usage().spans()).isZero();
    }

    Map<String, byte[]> byFlushId = new HashMap<>();
    for (Message m : sink.attempted()) {
      byte[] earlier = byFlushId.putIfAbsent(m.flushId(), m.value());
      if (earlier != null) {
        assertThat(m.value()).as("flush id %s names one byte string", m.flushId()).isEqualTo(earlier);
      }
    }
    Set<String> acknowledged = new TreeSet<>();
    for (Message m : sink.acknowledged()) {
      for (JsonNode s : parse(m.value()).get("spans")) {
        acknowledged.add(s.get("trace_id").asText() + ":" + Long.parseLong(s.get("span_id").asText(), 16) + ":"
            + s.path("data").asText("").length());
      }
    }
    assertThat(acknowledged).containsAll(offered);
  }

  /** The shard of a span: the index of its trace, as a partition keyed by trace id. */
  private static int shardOf(byte[] span) {
    String trace = parse(span).get("trace_id").asText();
    for (int i = 0; i < TRACES.length; i++) {
      if (TRACES[i].equals(trace)) {
        return i;
      }
    }
    throw new AssertionError("unknown trace " + trace);
  }

  private static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
