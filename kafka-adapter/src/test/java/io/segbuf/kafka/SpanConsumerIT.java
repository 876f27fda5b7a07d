package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TraceFailingStore;
import io.segbuf.kafka.OutputRecords.Out;
import io.segbuf.kafka.internal.DeadLetters;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The consumer loop and the producer sink against a real broker: spans in, segments out, nothing lost. */
class SpanConsumerIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private KafkaProducer<byte[], byte[]> input;
  private final TestClock clock = new TestClock(T0);
  private String in = "";
  private String out = "";

  @BeforeEach
  void openInput() {
    input = broker.get().producer();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    input.close();
  }

  private void topics(int inPartitions, Map<String, String> outConfig) {
    in = KafkaBroker.uniqueTopic("ingest-spans");
    out = KafkaBroker.uniqueTopic("buffered-segments");
    broker.get().createTopic(in, inPartitions, Map.of());
    broker.get().createTopic(out, 4, outConfig);
  }

  /** A consumer loop with its own in-memory store and a sink whose producer has {@code maxRequestSize}. */
  private Running consumer(int maxRequestSize, SpanConsumerOptions.Builder extra) {
    return consumer(maxRequestSize, extra, SpanBufferConfig.builder());
  }

  private Running consumer(int maxRequestSize, SpanConsumerOptions.Builder extra,
      SpanBufferConfig.Builder config) {
    return consumer(maxRequestSize, extra, config, SegmentStore.inMemory());
  }

  private Running consumer(int maxRequestSize, SpanConsumerOptions.Builder extra,
      SpanBufferConfig.Builder config, SegmentStore store) {
    return consumer(maxRequestSize, extra, config, store, 0);
  }

  /** As above; the first {@code failingSends} sends fail as a broker that is away would make them fail. */
  private Running consumer(int maxRequestSize, SpanConsumerOptions.Builder extra,
      SpanBufferConfig.Builder config, SegmentStore store, int failingSends) {
    KafkaSegmentSink sink = KafkaSegmentSink.create(KafkaSinkOptions.builder()
        .bootstrapServers(broker.get().bootstrapServers()).topic(out)
        .producerProperty("max.request.size", Integer.toString(maxRequestSize)).build());
    AtomicInteger failures = new AtomicInteger(failingSends);
    SegmentSink flaky = message -> failures.getAndDecrement() > 0
        ? java.util.concurrent.CompletableFuture.failedFuture(
            new org.apache.kafka.common.errors.NotLeaderOrFollowerException("leader moving"))
        : sink.send(message);
    SpanBuffer buffer = SpanBuffer.create(
        config.maxMessageBytes(sink.maxMessageBytes()).build(), store, flaky);
    SpanConsumer consumer = SpanConsumer.create(extra.bootstrapServers(broker.get().bootstrapServers()).topic(in)
        .groupId("segbuf-" + in).clock(clock).build(), buffer);
    Running running = new Running(consumer, buffer, sink, store);
    toClose.add(running);
    consumer.start("span-consumer-" + toClose.size());
    return running;
  }

  private Running consumer(int maxRequestSize) {
    return consumer(maxRequestSize, SpanConsumerOptions.builder());
  }

  /** A consumer, its buffer and what they own; closed consumer first. */
  record Running(SpanConsumer consumer, SpanBuffer buffer, KafkaSegmentSink sink, SegmentStore store)
      implements AutoCloseable {
    @Override
    public void close() {
      consumer.close();
      try {
        assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      sink.close();
      store.close();
    }
  }

  private Set<String> produce(int traces, int children, int padding, Instant start) {
    return InputTraces.produce(input, in, traces, children, padding, start);
  }

  private List<Out> readSpans(int expected) {
    List<ConsumerRecord<byte[], byte[]>> records =
        broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= expected, WAIT);
    return OutputRecords.decode(records);
  }

  private static void assertKeyedAndInChunkOrder(List<Out> records) {
    Map<String, Integer> partitionOfKey = new HashMap<>();
    Map<String, List<Out>> byGeneration = new HashMap<>();
    for (Out r : OutputRecords.dedupe(records)) {
      assertThat(partitionOfKey.computeIfAbsent(r.key(), k -> r.partition())).as(r.key()).isEqualTo(r.partition());
      assertThat(r.key()).endsWith(":" + r.headers().get(KafkaSegmentSink.SEGMENT_ID));
      assertThat(r.headers().get(KafkaSegmentSink.FLUSH_ID)).isEqualTo(r.flushId());
      assertThat(r.headers().get(KafkaSegmentSink.SKIP_ENRICHMENT)).isEqualTo(Boolean.toString(r.skipEnrichment()));
      byGeneration.computeIfAbsent(r.key() + "/" + r.generation(), k -> new ArrayList<>()).add(r);
    }
    for (List<Out> chunks : byGeneration.values()) {
      chunks.sort((a, b) -> Long.compare(a.offset(), b.offset()));
      for (int i = 0; i < chunks.size(); i++) {
        assertThat(chunks.get(i).chunkIndex()).isEqualTo(i);
        assertThat(chunks.get(i).chunkCount()).isEqualTo(chunks.size());
      }
    }
  }

  /**
   * After retries a generation's records may repeat (a chunk acknowledged in a failed attempt is sent again), but
   * every generation's chunks appear in order, all on one partition, within the records of one attempt.
   */
  private static void assertEachGenerationHasAnOrderedAttempt(List<Out> records) {
    for (List<Out> chunks : byGeneration(records).values()) {
      assertThat(chunks.stream().map(Out::partition).distinct()).hasSize(1);
    }
    assertThat(generationsWithoutAnOrderedAttempt(records)).isEmpty();
  }

  /** The generations none of whose attempts has yet shown all its chunks in order. */
  private static List<String> generationsWithoutAnOrderedAttempt(List<Out> records) {
    List<String> unordered = new ArrayList<>();
    for (Map.Entry<String, List<Out>> e : byGeneration(records).entrySet()) {
      int next = 0;
      for (Out r : e.getValue()) {
        if (r.chunkIndex() == next) {
          next++;
        }
      }
      if (next != e.getValue().get(0).chunkCount()) {
        unordered.add(e.getKey());
      }
    }
    return unordered;
  }

  /** Records by segment generation, each list in offset order. */
  private static Map<String, List<Out>> byGeneration(List<Out> records) {
    Map<String, List<Out>> byGeneration = new HashMap<>();
    for (Out r : records) {
      byGeneration.computeIfAbsent(r.key() + "/" + r.generation(), k -> new ArrayList<>()).add(r);
    }
    byGeneration.values().forEach(chunks -> chunks.sort((a, b) -> Long.compare(a.offset(), b.offset())));
    return byGeneration;
  }

  /** With the polling thread flushing, one flusher thread, or three sharing the four partitions. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void everySpanComesOutOnceKeyedBySegmentAndChunkedWhereTooLarge(int flushThreads) {
    topics(4, Map.of());
    Running running = consumer(12_000, SpanConsumerOptions.builder().flushThreads(flushThreads));
    Set<String> spans = produce(40, 20, 500, T0);
    spans.addAll(produce(10, 2, 20, T0.plusSeconds(1)));

    Await.until("every span polled", WAIT, () -> running.consumer().stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1)); // caught up: the wall clock makes every segment due
    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    assertKeyedAndInChunkOrder(records);
    assertThat(records).anyMatch(r -> r.chunkCount() > 1);
    assertThat(records).anyMatch(r -> r.chunkCount() == 1);
    assertThat(records).allMatch(r -> r.valueBytes() <= running.sink().maxMessageBytes());
    assertThat(records.stream().map(Out::partition).distinct()).hasSizeGreaterThan(1);
    assertThat(running.buffer().stats().chunkedSegments()).isPositive();
    assertThat(running.consumer().stats().commits()).isPositive();
  }

  @Test
  void consumerRestartedMidStreamLosesNothing() throws Exception {
    topics(4, Map.of());
    Running first = consumer(1_048_576);
    Set<String> spans = produce(30, 5, 50, T0);
    Await.until("first half polled", WAIT, () -> first.consumer().stats().polledRecords() >= spans.size());
    first.close();
    toClose.remove(first);

    Set<String> second = produce(30, 5, 50, T0.plusSeconds(5));
    spans.addAll(second);
    Running next = consumer(1_048_576);
    Await.until("second half polled", WAIT, () -> next.consumer().stats().polledRecords() >= second.size());
    clock.advance(Duration.ofHours(1));
    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    assertThat(next.consumer().stats().polledRecords()).as("the first consumer committed what it took")
        .isBetween((long) second.size(), (long) second.size() + 10);
    assertKeyedAndInChunkOrder(records);
  }

  @Test
  void recordsDeletedBeforeTheyWereReadAreCountedAndTheRestFlowOn() {
    topics(1, Map.of());
    Set<String> deleted = produce(4, 4, 50, T0); // offsets 0 to 19
    Set<String> kept = produce(6, 4, 50, T0.plusSeconds(1)); // offsets 20 to 49
    broker.get().commitOffset("segbuf-" + in, in, 0, 5);
    broker.get().deleteRecordsBefore(in, 0, 20);

    Running running = consumer(1_048_576);
    Await.until("the rest polled", WAIT, () -> running.consumer().stats().polledRecords() >= kept.size());
    clock.advance(Duration.ofHours(1));
    List<Out> records = readSpans(kept.size());

    OutputRecords.assertExactlyOnce(records, kept);
    assertThat(deleted).doesNotContainAnyElementsOf(kept);
    assertThat(running.consumer().stats().skippedRecords()).as("offsets 5 to 19, gone before they were read")
        .isEqualTo(15);
    assertThat(running.consumer().stats().polledRecords()).isEqualTo(kept.size());
    MeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(running.buffer(), running.consumer(), Tags.empty()).bindTo(registry);
    assertThat(registry.get("segbuf.consumer.skipped.records").functionCounter().count()).isEqualTo(15);
  }

  @Test
  void rebalanceBetweenTwoConsumersLosesNothing() {
    topics(4, Map.of());
    Running a = consumer(1_048_576);
    Set<String> spans = produce(40, 4, 50, T0);
    Await.until("a polled the first batch", WAIT, () -> a.consumer().stats().polledRecords() >= spans.size());

    Running b = consumer(1_048_576);
    Await.until("the partitions shared", WAIT,
        () -> b.consumer().stats().assignedPartitions() > 0
            && a.consumer().stats().assignedPartitions() + b.consumer().stats().assignedPartitions() == 4,
        () -> "a=" + a.consumer().stats() + " b=" + b.consumer().stats());
    spans.addAll(produce(40, 4, 50, T0.plusSeconds(5)));
    Await.until("the second batch polled", WAIT,
        () -> a.consumer().stats().polledRecords() + b.consumer().stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1));
    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    assertKeyedAndInChunkOrder(records);
    assertThat(b.consumer().stats().polledRecords()).isPositive();
  }

  @Test
  void backpressurePausesInputAndResumesOnceFlushed() {
    topics(1, Map.of());
    Running running = consumer(1_048_576, SpanConsumerOptions.builder()
        .pauseAboveBufferedBytes(4_000).consumerProperty("max.poll.records", "5"));
    clock.advance(Duration.ofHours(1)); // while paused for memory, segments flush at the wall clock
    Set<String> spans = produce(20, 4, 300, T0);
    Await.until("every span polled", WAIT, () -> running.consumer().stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1)); // the last spans were offered at the wall clock

    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    assertThat(running.consumer().stats().pauses()).isPositive();
    Await.until("input resumed", WAIT, () -> !running.consumer().stats().paused());
    assertThat(running.consumer().stats().resumes()).isPositive();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(running.buffer(), running.consumer(), Tags.empty()).bindTo(registry);
    assertThat(registry.get("segbuf.consumer.pauses").functionCounter().count()).isPositive();
    assertThat(registry.get("segbuf.consumer.paused").gauge().value()).isZero();
    assertThat(registry.get("segbuf.consumer.records").functionCounter().count()).isEqualTo(spans.size());
    assertThat(registry.get("segbuf.spans.flushed").functionCounter().count()).isEqualTo(spans.size());
  }

  @Test
  void flushAtItsCycleLimitPausesInputUntilItCatchesUp() {
    topics(1, Map.of());
    Running running = consumer(1_048_576, SpanConsumerOptions.builder().laggingFlushCycles(2),
        SpanBufferConfig.builder().maxFlushSegments(1));
    Set<String> spans = produce(30, 1, 20, T0);
    Await.until("every span polled", WAIT, () -> running.consumer().stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1)); // thirty segments due at once, one flushed per cycle

    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    Await.until("input resumed", WAIT, () -> running.consumer().stats().resumes() > 0,
        () -> running.consumer().stats().toString());
    assertThat(running.consumer().stats().pauses()).isPositive();
  }

  @Test
  void invalidSpansAreCountedAndCopiedToTheDeadLetterTopic() {
    topics(1, Map.of());
    String deadLetters = KafkaBroker.uniqueTopic("dead-letters");
    broker.get().createTopic(deadLetters, 1, Map.of());
    Running running = consumer(1_048_576, SpanConsumerOptions.builder().deadLetterTopic(deadLetters));
    List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
    acks.add(input.send(new ProducerRecord<>(in, null, T0.toEpochMilli(), null,
        "{\"span_id\":\"not hex\"}".getBytes(StandardCharsets.UTF_8))));
    acks.add(input.send(new ProducerRecord<byte[], byte[]>(in, null, T0.toEpochMilli(), null, null)));
    for (java.util.concurrent.Future<?> ack : acks) {
      try {
        ack.get();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    Set<String> spans = produce(1, 1, 10, T0);
    Await.until("every record polled", WAIT, () -> running.consumer().stats().polledRecords() >= 4);
    clock.advance(Duration.ofHours(1));

    List<ConsumerRecord<byte[], byte[]>> copies = broker.get().readAll(deadLetters, 2, WAIT);
    OutputRecords.assertExactlyOnce(readSpans(spans.size()), spans);
    assertThat(copies).hasSize(2);
    assertThat(copies).allSatisfy(r -> {
      assertThat(r.headers().lastHeader(DeadLetters.INVALID_REASON)).isNotNull();
      assertThat(r.headers().lastHeader(DeadLetters.SOURCE_OFFSET)).isNotNull();
    });
    assertThat(new String(copies.get(0).headers().lastHeader(DeadLetters.INVALID_REASON).value(),
        StandardCharsets.US_ASCII)).isEqualTo("SPAN_ID");
    assertThat(new String(copies.get(1).headers().lastHeader(DeadLetters.INVALID_REASON).value(),
        StandardCharsets.US_ASCII)).isEqualTo("MALFORMED_JSON"); // a record without a value
    assertThat(running.consumer().stats().deadLettered()).isEqualTo(2);
    assertThat(running.buffer().stats().invalidTotal()).isEqualTo(2);
  }

  @Test
  void batchTheStoreRefusesIsReadAgainAndNotCommittedMeanwhile() {
    topics(1, Map.of());
    Running running = consumer(1_048_576, SpanConsumerOptions.builder(), SpanBufferConfig.builder(),
        new TraceFailingStore(SegmentStore.inMemory()).refuseNextAdds(3));
    Set<String> spans = produce(10, 3, 20, T0);
    // each refusal is read again after a back-off on the consumer's clock
    Await.until("every span offered", WAIT, () -> {
      clock.advance(Duration.ofSeconds(1));
      return running.consumer().stats().polledRecords() >= spans.size();
    });
    clock.advance(Duration.ofHours(1));

    List<Out> records = readSpans(spans.size());

    OutputRecords.assertExactlyOnce(records, spans);
    assertThat(running.consumer().stats().storeFailures()).isEqualTo(3);
    assertThat(running.consumer().stats().polledRecords()).isGreaterThanOrEqualTo(spans.size());
  }

  @Test
  void failedSendsAreRetriedWithTheSameFlushIds() {
    topics(2, Map.of());
    Running running = consumer(12_000, SpanConsumerOptions.builder(), SpanBufferConfig.builder(),
        SegmentStore.inMemory(), 5);
    Set<String> spans = produce(10, 20, 500, T0);
    Await.until("every span offered", WAIT, () -> running.consumer().stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1));

    // a chunk delivered by a failed attempt can cover its spans before the retry's copy arrives: read on until
    // every generation shows one complete attempt in order
    List<Out> records = OutputRecords.decode(broker.get().readUntil(out,
        r -> OutputRecords.distinctSpans(r) >= spans.size()
            && generationsWithoutAnOrderedAttempt(OutputRecords.decode(r)).isEmpty(),
        WAIT));

    OutputRecords.assertExactlyOnce(records, spans);
    assertEachGenerationHasAnOrderedAttempt(records);
    assertThat(records).anyMatch(r -> r.chunkCount() > 1);
    assertThat(running.buffer().stats().sendFailures()).isPositive();
    assertThat(running.buffer().stats().rejectedSpans()).isZero();
  }

  @Test
  void readmeExampleRuns() {
    topics(1, Map.of());
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    String bootstrap = broker.get().bootstrapServers();

    KafkaSegmentSink sink = KafkaSegmentSink.create(KafkaSinkOptions.builder()
        .bootstrapServers(bootstrap)
        .topic(out)
        .producerProperty("max.request.size", "1048576")
        .build());
    SegmentStore store = SegmentStore.inMemory();
    SpanBuffer buffer = SpanBuffer.create(
        SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes()).build(), store, sink);
    SpanConsumer consumer = SpanConsumer.create(SpanConsumerOptions.builder()
        .bootstrapServers(bootstrap).topic(in).groupId("segbuf").build(), buffer);
    new SpanBufferMetrics(buffer, consumer, Tags.empty()).bindTo(meterRegistry);
    consumer.start("segbuf-consumer");
    toClose.add(() -> {
      consumer.close();
      sink.close();
      store.close();
    });

    Set<String> spans = produce(2, 2, 10, Instant.now());
    Await.until("spans offered", WAIT, () -> consumer.stats().polledRecords() >= spans.size());
    consumer.close(); // drains and commits
    OutputRecords.assertExactlyOnce(readSpans(spans.size()), spans);
    assertThat(meterRegistry.get("segbuf.spans.flushed").functionCounter().count()).isEqualTo(spans.size());
  }

  @Test
  void recordsOverTheLimitsAreReportedAsRejected() {
    topics(1, Map.of("max.message.bytes", "3000"));
    Running running = consumer(20_000);
    Set<String> small = produce(3, 1, 20, T0);
    produce(1, 0, 5_000, T0.plusSeconds(1)); // over the topic's limit: refused by the broker
    produce(1, 0, 30_000, T0.plusSeconds(2)); // over max.request.size: refused before sending
    Await.until("every span polled", WAIT, () -> running.consumer().stats().polledRecords() >= small.size() + 2);
    clock.advance(Duration.ofHours(1));

    Await.until("two rejections", WAIT, () -> running.consumer().stats().rejectedSpans() == 2,
        () -> running.consumer().stats().toString());
    List<Out> records = readSpans(small.size());
    OutputRecords.assertExactlyOnce(records, small);
    assertThat(running.buffer().stats().rejectedMessages()).isEqualTo(2);
    assertThat(running.buffer().stats().oversizedSpans()).isEqualTo(1);
  }
}
