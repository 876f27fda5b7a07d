package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.redis.RedisExtension;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis store full: {@code maxmemory} small with {@code maxmemory-policy noeviction}, so that Redis refuses
 * writes (OOM). The consumer's memory backpressure engages before Redis refuses anything, flushes at the wall clock
 * free memory, and every span comes out once after dedupe. (What happens once Redis does refuse writes: see
 * RELIABILITY.md, open points.)
 */
class RedisStoreFullIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int PADDING = 1000;

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String group = "segbuf-" + in;

  private SegmentStore store;
  private KafkaSegmentSink sink;
  private KafkaProducer<byte[], byte[]> input;

  @BeforeEach
  void start() {
    redis.get().cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
    broker.get().createTopic(in, 1, Map.of());
    broker.get().createTopic(out, 1, Map.of());
    store = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix(in).build());
    sink = KafkaSegmentSink.create(
        KafkaSinkOptions.builder().bootstrapServers(broker.get().bootstrapServers()).topic(out).build());
    input = broker.get().producer();
  }

  @AfterEach
  void stop() {
    input.close();
    sink.close();
    store.close();
    redis.get().cli("CONFIG", "SET", "maxmemory", "0");
  }

  /** Redis refuses writes once it uses {@code headroom} bytes more than it does now. */
  private void limitMemory(long headroom) {
    long used = Long.parseLong(redis.get().cli("INFO", "memory").lines()
        .filter(l -> l.startsWith("used_memory:")).findFirst().orElseThrow().substring("used_memory:".length())
        .strip());
    redis.get().cli("CONFIG", "SET", "maxmemory", Long.toString(used + headroom));
    // the store read Redis's memory when it connected, without a limit, and reads it again once a second: it would
    // see this limit up to a second late, while the consumer appends at full speed
    store.check();
  }

  private SpanBuffer buffer() {
    return SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes()).build(), store, sink);
  }

  private SpanConsumer consumer(SpanBuffer buffer, int maxPollRecords) {
    SpanConsumer consumer = SpanConsumer.create(SpanConsumerOptions.builder()
        .bootstrapServers(broker.get().bootstrapServers()).topic(in).groupId(group).clock(clock)
        .consumerProperty("max.poll.records", Integer.toString(maxPollRecords))
        .consumerProperty("max.partition.fetch.bytes", "8388608").drainOnRevoke(false).build(), buffer);
    consumer.start("full-consumer");
    return consumer;
  }

  private static void close(SpanConsumer consumer) throws InterruptedException {
    consumer.close();
    assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
  }

  private void assertEverySpanOutOnce(Set<String> spans) {
    OutputRecords.assertExactlyOnce(OutputRecords.decode(
        broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT)), spans);
  }

  @Test
  void memoryBackpressurePausesInputBeforeRedisRefusesWrites() throws Exception {
    limitMemory(3 * 1024 * 1024);
    SpanBuffer buffer = buffer();
    SpanConsumer consumer = consumer(buffer, 20);
    try {
      Set<String> spans = InputTraces.produce(input, in, 200, 19, PADDING, T0); // about 4 MB: more than fits

      Await.until("input paused for memory", WAIT, () -> consumer.stats().paused(), consumer.stats()::toString);
      // Not the memory fraction read now: the store's estimate (last INFO reading plus bytes appended since) may
      // drop at the next reading, once compaction's trims show, and the consumer may resume at any moment.
      assertThat(consumer.stats().pauses()).as("paused for memory: nothing is due at T0").isPositive();
      assertThat(consumer.stats().polledRecords()).isLessThan(spans.size());
      assertThat(consumer.stats().storeFailures()).as("Redis refused nothing").isZero();

      clock.advance(Duration.ofHours(1)); // paused for memory, segments flush at the wall clock and free memory
      Await.until("every span polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size(),
          consumer.stats()::toString);
      clock.advance(Duration.ofHours(1)); // the last spans were offered at the wall clock
      assertEverySpanOutOnce(spans);
      assertThat(consumer.stats().storeFailures()).isZero();
      assertThat(consumer.stats().resumes()).isPositive();
    } finally {
      close(consumer);
    }
  }

  @Test
  void writesRedisRefusesAreNotAcknowledgedAndEverySpanComesOutAsFlushesFreeMemory() throws Exception {
    SpanBuffer buffer = buffer();
    SpanConsumer first = consumer(buffer, 200);
    Set<String> spans = InputTraces.produce(input, in, 40, 9, PADDING, T0);
    Await.until("the first traces stored", WAIT, () -> first.stats().polledRecords() >= spans.size());
    close(first); // hands its segments over in Redis (drainOnRevoke off)

    // one batch of 1 MB against 300 KB of room: it crosses the limit before backpressure can see it
    limitMemory(300 * 1024);
    Set<String> second = InputTraces.produce(input, in, 100, 9, PADDING, T0.plusSeconds(1));
    SpanConsumer consumer = consumer(buffer, 5000);
    try {
      Await.until("Redis refusing writes", WAIT, () -> consumer.stats().storeFailures() > 0,
          consumer.stats()::toString);
      assertThat(broker.get().committedOffsetSum(group)).as("nothing refused is acknowledged")
          .isEqualTo(spans.size());
      Await.until("input paused for memory", WAIT, () -> consumer.stats().paused(), consumer.stats()::toString);

      // The limit stays: the second traces get in only as flushes at the wall clock free memory. The wall clock
      // moves on while the test waits (a second per check), so what is offered at it times out too.
      clock.advance(Duration.ofHours(1));
      Await.until("every span stored", WAIT, () -> {
        clock.advance(Duration.ofSeconds(1));
        return consumer.stats().polledRecords() >= second.size();
      }, () -> consumer.stats() + " " + buffer.usage());
      clock.advance(Duration.ofHours(1));
      spans.addAll(second);
      assertEverySpanOutOnce(spans);
      assertThat(broker.get().committedOffsetSum(group)).isEqualTo(spans.size());
    } finally {
      close(consumer);
    }
  }
}
