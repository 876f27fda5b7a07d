package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushReason;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.TraceFailingStore;
import io.segbuf.TraceId;
import io.segbuf.kafka.internal.DeadLetters;
import io.segbuf.spi.FatalSinkException;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Faults that must neither stall the service nor lose a span: a bad trace, a store that refuses, a dead sink. */
class ServiceFaultsIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String BAD_TRACE = "00000000000000000000000000000bad";

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String deadLetters = KafkaBroker.uniqueTopic("dead-letters");
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private @Nullable SpanBuffer buffer;
  private Map<String, String> deadLetterConfig = Map.of();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private SpanConsumer consumer(SegmentStore store, KafkaSinkOptions.Builder sink,
      SpanConsumerOptions.Builder options) {
    return consumer(store, sink, options, null);
  }

  /** A consumer over {@code store}; its sink is the Kafka sink, or {@code failing} when given. */
  private SpanConsumer consumer(SegmentStore store, KafkaSinkOptions.Builder sink,
      SpanConsumerOptions.Builder options, @Nullable SegmentSink failing) {
    broker.get().createTopic(in, 1, Map.of());
    broker.get().createTopic(out, 1, Map.of());
    broker.get().createTopic(deadLetters, 1, deadLetterConfig);
    KafkaSinkOptions sinkOptions = sink.bootstrapServers(broker.get().bootstrapServers()).build();
    KafkaSegmentSink kafka = KafkaSegmentSink.create(
        sinkOptions.topic().equals(KafkaSinkOptions.DEFAULT_TOPIC) ? sinkOptions.toBuilder().topic(out).build()
            : sinkOptions);
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(kafka.maxMessageBytes()).build(),
        store, failing != null ? failing : kafka);
    this.buffer = buffer;
    SpanConsumer consumer = SpanConsumer.create(options.bootstrapServers(broker.get().bootstrapServers()).topic(in)
        .groupId("segbuf-" + in).clock(clock).deadLetterTopic(deadLetters).build(), buffer);
    toClose.add(kafka);
    return consumer;
  }

  private Set<String> produce(int traces, Instant start) {
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      return InputTraces.produce(input, in, traces, 2, 10, start);
    }
  }

  private void produceBadTrace() {
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      input.send(new ProducerRecord<>(in, null, T0.toEpochMilli(), null, TestSpans.span(1).trace(BAD_TRACE).bytes()))
          .get();
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  /** Fifteen spans, the bad trace's span at offset 15, fifteen more spans: the ids of the thirty good ones. */
  private Set<String> produceAroundBadTrace() {
    Set<String> spans = new HashSet<>(produce(5, T0));
    produceBadTrace();
    spans.addAll(produce(5, T0.plusSeconds(1)));
    return spans;
  }

  /** Starts the consumer and moves its clock a second at a time (each refusal waits its back-off) until done. */
  private void runUntil(SpanConsumer consumer, String what, java.util.function.BooleanSupplier done) {
    consumer.start("faults");
    toClose.add(consumer);
    Await.until(what, WAIT, () -> {
      clock.advance(Duration.ofSeconds(1));
      return done.getAsBoolean();
    });
  }

  private static Set<String> spanIds(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> ids = new HashSet<>();
    OutputRecords.decode(records).forEach(o -> ids.addAll(o.spanIds()));
    return ids;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    assertThat(h).as(name).isNotNull();
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void segmentTheStoreCannotFlushIsBackedOffAndTheRestOfThePartitionFlowsOn() throws Exception {
    TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory());
    store.refuseFlushes(TraceId.parse(BAD_TRACE));
    SpanConsumer consumer = consumer(store, KafkaSinkOptions.builder(), SpanConsumerOptions.builder());
    consumer.start("faults");
    toClose.add(consumer);
    produceBadTrace(); // the oldest segment of the partition, listed first at every flush
    Set<String> spans = produce(20, T0.plusSeconds(1));
    Await.until("every span polled", WAIT, () -> consumer.stats().polledRecords() > spans.size());
    clock.advance(Duration.ofHours(1));

    assertThat(spanIds(broker.get().readUntil(out, r -> spanIds(r).containsAll(spans), WAIT))).containsAll(spans);
    assertThat(consumer.stats().paused()).as("a failing segment does not pause its partition").isFalse();
    assertThat(store.usage().spans()).isEqualTo(1);
  }

  @Test
  void spanTheStoreKeepsRefusingGoesToTheDeadLetterTopicWithTheReasonAndTheRestIsTaken() {
    TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory());
    store.refuseAdds(TraceId.parse(BAD_TRACE));
    SpanConsumer consumer = consumer(store, KafkaSinkOptions.builder(),
        SpanConsumerOptions.builder().deadLetterAfterRefusals(3).consumerProperty("max.poll.records", "1000"));
    Set<String> spans = produceAroundBadTrace();
    runUntil(consumer, "the refused span dead-lettered", () -> consumer.stats().deadLettered() == 1);
    clock.advance(Duration.ofHours(1));

    assertThat(spanIds(broker.get().readUntil(out, r -> spanIds(r).containsAll(spans), WAIT))).containsAll(spans);
    List<ConsumerRecord<byte[], byte[]>> copies = broker.get().readAll(deadLetters, 1, WAIT);
    assertThat(copies).hasSize(1);
    assertThat(header(copies.get(0), DeadLetters.REFUSED_REASON)).contains("store refuses trace " + BAD_TRACE);
    assertThat(header(copies.get(0), DeadLetters.SOURCE_OFFSET)).isEqualTo("15");
    assertThat(consumer.stats().storeFailures()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void refusedSpanThatCannotBeDeadLetteredIsReadAgainAndNeverCommittedPast() {
    deadLetterConfig = Map.of("max.message.bytes", "64"); // every copy is refused as too large
    // durable: offsets are committed as soon as the store holds the spans, so only the rewind keeps the commit back
    TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory()).claimDurable(true);
    store.refuseAdds(TraceId.parse(BAD_TRACE));
    SpanConsumer consumer = consumer(store, KafkaSinkOptions.builder(),
        SpanConsumerOptions.builder().deadLetterAfterRefusals(2).consumerProperty("max.poll.records", "1000"));
    Set<String> spans = produceAroundBadTrace();
    runUntil(consumer, "the batch tried span by span several times", () -> consumer.stats().storeFailures() >= 6);

    assertThat(consumer.stats().deadLettered()).isZero();
    assertThat(broker.get().committedOffsetSum("segbuf-" + in))
        .as("committed up to the span neither stored nor copied, not past it").isEqualTo(15);
    // while the store refuses the partition's batch its time is the wall clock: the others are flushed meanwhile,
    // and read again they are duplicates of spans flushed, never stored twice
    List<String> flushed = new ArrayList<>();
    OutputRecords.decode(broker.get().readUntil(out, r -> spanIds(r).containsAll(spans), WAIT))
        .forEach(o -> flushed.addAll(o.spanIds()));
    assertThat(flushed).as("the others came out once each").containsExactlyInAnyOrderElementsOf(spans);
  }

  @Test
  void invalidSpanDetailReachesTheDeadLetterHeaderWithoutControlCharacters() {
    SpanConsumer consumer = consumer(SegmentStore.inMemory(), KafkaSinkOptions.builder(),
        SpanConsumerOptions.builder());
    consumer.start("faults");
    toClose.add(consumer);
    String hostile = "{\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"ab\\n\\u001b[31mcd\","
        + "\"project_id\":1,\"end_timestamp\":1}";
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      input.send(new ProducerRecord<>(in, null, T0.toEpochMilli(), null, hostile.getBytes(StandardCharsets.UTF_8)))
          .get();
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }

    List<ConsumerRecord<byte[], byte[]>> copies = broker.get().readAll(deadLetters, 1, WAIT);
    assertThat(copies).hasSize(1);
    String detail = header(copies.get(0), DeadLetters.INVALID_DETAIL);
    assertThat(detail.chars()).as(detail).noneMatch(Character::isISOControl);
  }

  /** Producers no retry can cure: credentials the broker cannot take, and a topic no client may write to. */
  static List<KafkaSinkOptions.Builder> refusedProducers() {
    return List.of(
        // SASL towards a plaintext listener: the broker refuses the handshake (an AuthenticationException)
        KafkaSinkOptions.builder().producerProperty("security.protocol", "SASL_PLAINTEXT")
            .producerProperty("sasl.mechanism", "PLAIN")
            .producerProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"segbuf\" password=\"wrong\";"),
        // an internal topic: the broker refuses every append (an InvalidTopicException)
        KafkaSinkOptions.builder().topic("__consumer_offsets"));
  }

  @ParameterizedTest
  @MethodSource("refusedProducers")
  void sinkThatCanNeverSendStopsTheServiceWithoutCommittingWhatItDidNotFlush(KafkaSinkOptions.Builder sink)
      throws Exception {
    SpanConsumer consumer = consumer(SegmentStore.inMemory(), sink, SpanConsumerOptions.builder());
    Set<String> spans = produce(5, T0);
    CompletableFuture<Void> running = CompletableFuture.runAsync(consumer);
    Await.until("every span polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1));

    assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).as("the service stops by itself").isTrue();
    assertThat(running).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .havingCause().isInstanceOf(FatalSinkException.class);
    assertThat(broker.get().committedOffsetSum("segbuf-" + in)).as("nothing flushed, nothing committed").isZero();
  }

  @Test
  void closedWhileTheSinkFailsItCommitsOnlyUpToTheOldestSpanNotSent() throws Exception {
    SegmentSink away = message -> CompletableFuture.failedFuture(
        new org.apache.kafka.common.errors.NotLeaderOrFollowerException("leader moving"));
    SpanConsumer consumer =
        consumer(SegmentStore.inMemory(), KafkaSinkOptions.builder(), SpanConsumerOptions.builder(), away);
    consumer.start("faults");
    Set<String> spans = produce(5, T0);
    Await.until("every span polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size());
    clock.advance(Duration.ofHours(1)); // due: every send fails, the segments stay sealed

    consumer.close();

    assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
    assertThat(broker.get().committedOffsetSum("segbuf-" + in)).as("no span was sent").isZero();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void lostPartitionIsFlushedByItsLosingConsumerOnlyWhenTheStoreIsLocal(boolean durable) throws Exception {
    TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory()).claimDurable(durable);
    SpanConsumer consumer = consumer(store, KafkaSinkOptions.builder(),
        SpanConsumerOptions.builder().consumerProperty("max.poll.interval.ms", "2000"));
    consumer.start("faults");
    toClose.add(consumer);
    Set<String> spans = produce(3, T0);
    Await.until("every span polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size());

    // a store call outlasting max.poll.interval.ms: the consumer leaves its group and loses its partition
    CountDownLatch slowStore = new CountDownLatch(1);
    store.holdNextAdd(slowStore);
    produce(1, T0.plusSeconds(1));
    Await.until("the consumer out of its group", WAIT, () -> broker.get().groupMembers("segbuf-" + in) == 0);
    slowStore.countDown();
    Await.until("the partition lost", WAIT, () -> consumer.stats().lostPartitions() == 1);

    SpanBuffer buffer = this.buffer;
    assertThat(buffer).isNotNull();
    long drained = buffer.stats().flushReasons().getOrDefault(FlushReason.SHUTDOWN, 0L);
    if (durable) {
      assertThat(drained).as("left to the new owner, who sees the durable store").isZero();
    } else {
      assertThat(drained).as("only this process holds them: flushed").isPositive();
    }
  }
}
