package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.options;
import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.TraceFailingStore;
import io.segbuf.TraceId;
import io.segbuf.internal.Hex;
import io.segbuf.spi.SegmentSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The whole flush sequence over the Redis store, with a flusher that dies before its messages are acknowledged. */
class RedisSpanBufferIT {
  private static final Instant LATER = T0.plusSeconds(3600);
  private static final Pattern SPAN_ID = Pattern.compile("\"span_id\":\"([0-9a-f]{16})\"");

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
      RedisStoreOptions options = options(redis).build();
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

  /**
   * The output down for two days, far longer than the hour after which the former design's logs expired with their
   * offsets committed: nothing in Redis has a TTL, two owners take the shard over during the outage, and once the
   * output is back every span comes out exactly once.
   */
  @Test
  void outputDownForDaysLosesNothingAcrossTakeovers() {
    SpanBufferConfig config = SpanBufferConfig.builder().maxMessageBytes(4096).build();
    RecordingSink down = new RecordingSink(false);
    List<String> offered = new ArrayList<>();
    try (RedisServers redis = RedisServers.standalone()) {
      RedisStoreOptions options = options(redis).build();
      Instant now = T0;
      for (int owner = 0; owner < 3; owner++) {
        try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
          store.acquire(0);
          SpanBuffer buffer = SpanBuffer.create(config, store, down);
          for (long root = owner * 1000L + 1; root < owner * 1000L + 200; root += 20) {
            List<Span> spans = new ArrayList<>(TestSpans.parsed(span(root).padding(300)));
            for (long child = root + 1; child < root + 1 + root % 7; child++) {
              spans.add(span(child).parent(root).padding(500).parsed());
            }
            spans.forEach(sp -> offered.add(Hex.toHex(sp.spanId())));
            buffer.offerSpans(0, spans, now);
          }
          for (int hour = 0; hour < 16; hour++) {
            now = now.plusSeconds(3600);
            assertThat(buffer.flush(0, now).segments()).as("nothing completed while the output is down").isZero();
          }
        }
        assertThat(redis.cli("EVAL", "local t = {} for _, k in ipairs(redis.call('KEYS', '*')) do"
            + " t[#t + 1] = redis.call('TTL', k) end return t", "0").lines().map(String::strip).toList())
            .as("the TTL of every key").isNotEmpty().containsOnly("-1");
      }
      assertThat(down.sent).isNotEmpty();

      RecordingSink back = new RecordingSink(true);
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        store.acquire(0);
        SpanBuffer.create(config, store, back).drain(now);
        assertThat(store.usage().spans()).isZero();
      }
      List<String> out = new ArrayList<>();
      for (Message m : back.sent) {
        Matcher spanId = SPAN_ID.matcher(new String(m.value(), StandardCharsets.UTF_8));
        while (spanId.find()) {
          out.add(spanId.group(1));
        }
      }
      assertThat(out).containsExactlyInAnyOrderElementsOf(offered);
    }
  }

  /**
   * A segment whose flush keeps failing is not counted by the consumer's backpressure while this store holds it; once
   * its shard is released the store no longer holds it, so it must not be counted either: counted, it would raise the
   * number of segments the store must hold before input is paused for memory, once per shard released so.
   */
  @Test
  void aReleasedShardLeavesNoBackedOffSegmentBehind() {
    String trace = String.format("%032x", 1);
    try (RedisServers redis = RedisServers.standalone();
        RedisSegmentStore redisStore = RedisSegmentStore.connect(options(redis).build())) {
      TraceFailingStore store = new TraceFailingStore(redisStore).refuseFlushes(TraceId.parse(trace));
      SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), store, new RecordingSink(true));
      buffer.acquire(0);
      buffer.offerSpans(0, List.of(span(1).trace(trace).parsed()), T0);
      assertThat(buffer.flush(0, LATER).failed()).hasSize(1);
      assertThat(buffer.backedOffSegments()).isEqualTo(1);

      buffer.release(0);

      assertThat(buffer.usage().segments()).isZero();
      assertThat(buffer.backedOffSegments()).as("segments of a shard the store no longer holds").isZero();
    }
  }

  /**
   * A flush's seals and its completions go to the changelog in one command each, not one per segment: a flush of five
   * segments runs two scripts (it ran ten, then six once the completions went together), and a new owner finds them
   * all completed.
   */
  @Test
  void aFlushAppendsItsSealsAndItsCompletionsInOneCommandEach() {
    try (RedisServers redis = RedisServers.standalone()) {
      RedisStoreOptions options = RedisStoreOptions.builder().uri(redis.uri()).build();
      RecordingSink sink = new RecordingSink(true);
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), store, sink);
        buffer.offerSpans(0, TestSpans.parsed(span(1), span(2), span(3), span(4), span(5)), T0); // five roots
        long scripts = scriptCalls(redis);
        assertThat(buffer.flush(0, LATER).segments()).isEqualTo(5);
        assertThat(scriptCalls(redis) - scripts).as("scripts run by a flush of five segments").isEqualTo(2);
      }
      try (RedisSegmentStore next = RedisSegmentStore.connect(options)) {
        next.acquire(0);
        assertThat(next.due(0, LATER, 10)).as("due for the next owner").isEmpty();
        assertThat(next.usage().spans()).isZero();
      }
    }
  }

  /**
   * A pass seals its five segments before it sends any, and its sink fails at the third: the two sealed and never
   * sent are sealed for the next owner too, which sends them (and the one that failed, with its flush id) with the
   * spans they held when sealed; spans that arrived after the seal come out in the next generation, each span once.
   */
  @Test
  void segmentsSealedButNotSentWhenTheSinkFailsAreSentOnceByTheNextOwner() {
    try (RedisServers redis = RedisServers.standalone()) {
      RedisStoreOptions options = options(redis).build();
      int[] answers = {2};
      List<Message> first = new ArrayList<>();
      SegmentSink failingAtTheThird = message -> {
        first.add(message);
        return answers[0]-- > 0 ? CompletableFuture.completedFuture(null)
            : CompletableFuture.failedFuture(new IllegalStateException("broker away"));
      };
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), store, failingAtTheThird);
        buffer.offerSpans(0, TestSpans.parsed(span(1), span(2), span(3), span(4), span(5)), T0); // five roots
        assertThat(buffer.flush(0, LATER).segments()).isEqualTo(2);
        buffer.offerSpans(0, TestSpans.parsed(span(14).parent(4), span(15).parent(5)), LATER);
      }
      assertThat(first).hasSize(3);

      RecordingSink next = new RecordingSink(true);
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), store, next);
        store.acquire(0);
        assertThat(buffer.flush(0, LATER).segments()).as("the three sealed").isEqualTo(3);
        assertThat(next.sent).extracting(m -> m.segment().segmentId() + "/" + m.generation() + "/" + m.spanCount())
            .containsExactly("3/0/1", "4/0/1", "5/0/1");
        assertThat(next.sent.get(0).flushId()).isEqualTo(first.get(2).flushId());
        assertThat(buffer.drain(LATER.plusSeconds(3600)).segments()).as("the spans that came late").isEqualTo(2);
        assertThat(next.sent.subList(3, 5)).extracting(m -> m.segment().segmentId() + "/" + m.generation())
            .containsExactlyInAnyOrder("4/1", "5/1");
        assertThat(store.usage().spans()).isZero();
      }
    }
  }

  /** Scripts Redis ran so far ({@code EVALSHA} calls). */
  private static long scriptCalls(RedisServers redis) {
    return redis.cli("INFO", "commandstats").lines().filter(l -> l.startsWith("cmdstat_evalsha:"))
        .map(l -> Long.parseLong(l.substring(l.indexOf("calls=") + "calls=".length(), l.indexOf(','))))
        .findFirst().orElse(0L);
  }
}
