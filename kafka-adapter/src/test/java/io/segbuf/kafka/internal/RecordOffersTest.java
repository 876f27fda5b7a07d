package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.RecordingSink;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.TraceFailingStore;
import io.segbuf.TraceId;
import io.segbuf.kafka.TestClock;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Offering polled records to a real in-memory store that refuses on purpose; Kafka's MockConsumer and MockProducer. */
class RecordOffersTest {
  private static final TopicPartition TP = new TopicPartition("ingest-spans", 3);
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String BAD = "00000000000000000000000000000bad";

  private final TestClock clock = new TestClock(T0.plus(Duration.ofHours(1)));
  private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
  private final TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory());
  private final SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), store, new RecordingSink());
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final OwnedPartition partition = new OwnedPartition(new HeldRecords());
  /** Batches the store took. */
  private final AtomicInteger adds = new AtomicInteger();

  RecordOffersTest() {
    kafka.assign(List.of(TP));
    kafka.updateBeginningOffsets(Map.of(TP, 0L));
    store.onAdd(spans -> adds.incrementAndGet());
  }

  private RecordOffers offers(DeadLetters deadLetters, int deadLetterAfterRefusals) {
    return new RecordOffers(kafka, buffer, deadLetters, deadLetterAfterRefusals, clock);
  }

  private RecordOffers offers() {
    return offers(new DeadLetters(producer, "dead-letters"), 1);
  }

  private OptionalLong offer(RecordOffers offers, List<ConsumerRecord<byte[], byte[]>> records) {
    return offers.offer(TP, partition, records, clock::instant);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, Instant timestamp, byte @Nullable [] value) {
    return new ConsumerRecord<>(TP.topic(), TP.partition(), offset, timestamp.toEpochMilli(),
        TimestampType.CREATE_TIME, 0, 0, null, value, new RecordHeaders(), Optional.empty());
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, TestSpans span) {
    return record(offset, T0, span.bytes());
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aBatchTheStoreTakesIsCommittableAfterItsLastRecordAndHeldUntilFlushed() {
    RecordOffers offers = offers();
    OptionalLong next = offer(offers, List.of(record(5, T0, TestSpans.span(1).bytes()),
        record(6, T0.plusSeconds(2), TestSpans.span(2).parent(1).bytes())));
    assertThat(next).hasValue(7);
    assertThat(offers.offeredRecords()).isEqualTo(2);
    assertThat(store.usage().spans()).isEqualTo(2);
    assertThat(partition.held().oldestHeldOffset()).hasValue(5);
    assertThat(partition.clock().now(OptionalLong.of(1), false, clock)).isEqualTo(T0.plusSeconds(2));
    assertThat(buffer.drain(TP.partition(), clock.instant()).completed()).extracting(s -> s.position())
        .as("each record's position").containsExactlyInAnyOrder(0L, 1L);
  }

  @Test
  void aDurableStoreHoldsNoRecord() {
    store.claimDurable(true);
    RecordOffers offers = new RecordOffers(kafka, SpanBuffer.create(SpanBufferConfig.defaults(), store,
        new RecordingSink()), new DeadLetters(null, null), 1, clock);
    assertThat(offer(offers, List.of(record(0, TestSpans.span(1))))).hasValue(1);
    assertThat(partition.held().isEmpty()).isTrue();
  }

  @Test
  void invalidSpansAndDuplicatesAreNotHeldAndInvalidOnesAreCopiedToTheDeadLetterTopic() {
    RecordOffers offers = offers();
    offer(offers, List.of(record(0, TestSpans.span(1))));
    OptionalLong next = offer(offers, List.of(record(1, T0, "{}".getBytes(StandardCharsets.UTF_8)),
        record(2, T0, null), record(3, TestSpans.span(1))));
    assertThat(next).hasValue(4);
    assertThat(producer.history()).hasSize(2);
    assertThat(header(producer.history().get(0), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(producer.history().get(1).headers().lastHeader(DeadLetters.INVALID_REASON)).isNotNull();
    buffer.drain(TP.partition(), clock.instant()).completed().forEach(s -> partition.held().release(s.position()));
    assertThat(partition.held().isEmpty()).as("only the span at offset 0 was held").isTrue();
  }

  @Test
  void aBatchTheStoreRefusesIsReadAgainOnceItsBackOffIsOver() {
    RecordOffers offers = offers(new DeadLetters(null, null), 1);
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(4, TestSpans.span(1)), record(5, TestSpans.span(2)));
    kafka.seek(TP, 6);
    store.refuseNextAdds(1);
    assertThat(offer(offers, batch)).isEmpty();
    assertThat(kafka.position(TP)).isEqualTo(4);
    assertThat(partition.held().isEmpty()).isTrue();
    assertThat(partition.backoff().refusals()).isEqualTo(1);
    assertThat(offers.refusals()).isEqualTo(1);

    kafka.seek(TP, 6);
    assertThat(offer(offers, batch)).as("polled during the back-off").isEmpty();
    assertThat(kafka.position(TP)).isEqualTo(4);
    assertThat(adds.get()).as("not offered during the back-off").isZero();

    clock.advance(Duration.ofMillis(RefusalBackoff.FIRST_DELAY_MILLIS));
    assertThat(offer(offers, batch)).hasValue(6);
    assertThat(partition.backoff().refusals()).isZero();
    assertThat(offers.offeredRecords()).isEqualTo(2);
    assertThat(offers.refusals()).isEqualTo(1);
  }

  @Test
  void afterDeadLetterAfterRefusalsTheSpansTheStoreStillRefusesAreCopiedAndTheOthersStored() {
    RecordOffers offers = offers(new DeadLetters(producer, "dead-letters"), 2);
    store.refuseAdds(TraceId.parse(BAD));
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(0, TestSpans.span(1)),
        record(1, TestSpans.span(2).trace(BAD)), record(2, TestSpans.span(3)));
    assertThat(offer(offers, batch)).as("the first refusal").isEmpty();
    assertThat(producer.history()).isEmpty();
    clock.advance(Duration.ofMillis(RefusalBackoff.FIRST_DELAY_MILLIS));
    assertThat(offer(offers, batch)).hasValue(3);
    assertThat(producer.history()).hasSize(1);
    assertThat(header(producer.history().get(0), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(producer.history().get(0).headers().lastHeader(DeadLetters.REFUSED_REASON)).isNotNull();
    assertThat(store.usage().spans()).isEqualTo(2);
    assertThat(offers.offeredRecords()).isEqualTo(2);
    assertThat(partition.backoff().refusals()).isZero();
    assertThat(partition.backoff().waiting(clock.millis())).isFalse();
  }

  @Test
  void aSpanNeitherStoredNorCopiedIsReadAgainFromIt() {
    MockProducer<byte[], byte[]> failing =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
            return CompletableFuture.failedFuture(new KafkaException("dead-letter topic unavailable"));
          }
        };
    RecordOffers offers = offers(new DeadLetters(failing, "dead-letters"), 1);
    store.refuseAdds(TraceId.parse(BAD));
    kafka.seek(TP, 3);
    OptionalLong next = offer(offers, List.of(record(0, TestSpans.span(1)), record(1, TestSpans.span(2).trace(BAD)),
        record(2, TestSpans.span(3))));
    assertThat(next).hasValue(1);
    assertThat(kafka.position(TP)).isEqualTo(1);
    assertThat(partition.held().oldestHeldOffset()).hasValue(0);
  }

  @Test
  void aSpanRefusedSpanBySpanWhileTheStoreIsUnavailableIsReadAgainNotCopied() {
    // a store that comes and goes (Redis failing over, or at its maxmemory while flushes free room): it takes the
    // first span alone and refuses the second for itself, not for the span, which a dead-letter copy would lose
    store.refuseNextAdds(1).afterNextAdd(() -> store.refuseNextAdds(1));
    kafka.seek(TP, 3);
    OptionalLong next = offer(offers(), List.of(record(0, TestSpans.span(1)), record(1, TestSpans.span(2)),
        record(2, TestSpans.span(3))));

    assertThat(producer.history()).as("copied to the dead-letter topic, committed, never flushed").isEmpty();
    assertThat(next).hasValue(1);
    assertThat(kafka.position(TP)).isEqualTo(1);
  }

  @Test
  void aStoreThatRefusesEverySpanAloneLetsTheBatchWaitWithoutCopyingIt() {
    RecordOffers offers = offers();
    store.refuseNextAdds(3);
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(7, TestSpans.span(1)), record(8, TestSpans.span(2)));
    kafka.seek(TP, 9);
    assertThat(offer(offers, batch)).isEmpty();
    assertThat(kafka.position(TP)).isEqualTo(7);
    assertThat(producer.history()).isEmpty();
    assertThat(partition.held().isEmpty()).isTrue();
    assertThat(partition.backoff().waiting(clock.millis())).isTrue();
  }

  @Test
  void aBatchWhoseEverySpanTheStoreRefusesForItselfIsCopiedAndNotReadAgainForGood() {
    // a span Redis can never hold (larger than its maxmemory) polled alone, as Kafka hands over a record larger than
    // the fetch size: read again for good, it stalled its partition
    RecordOffers offers = offers(new DeadLetters(producer, "dead-letters"), 2);
    store.refuseAdds(TraceId.parse(BAD));
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(5, TestSpans.span(2).trace(BAD)));
    assertThat(offer(offers, batch)).as("the first refusal").isEmpty();
    clock.advance(Duration.ofMillis(RefusalBackoff.FIRST_DELAY_MILLIS));
    kafka.seek(TP, 6);

    assertThat(offer(offers, batch)).hasValue(6);
    assertThat(kafka.position(TP)).isEqualTo(6);
    assertThat(producer.history()).singleElement()
        .satisfies(r -> assertThat(header(r, DeadLetters.SOURCE_OFFSET)).isEqualTo("5"));
    assertThat(partition.backoff().refusals()).as("the partition's input flows again").isZero();
    assertThat(partition.backoff().waiting(clock.millis())).isFalse();
  }

  @Test
  void withoutADeadLetterTopicARefusedBatchIsAlwaysReadAgainWhole() {
    RecordOffers offers = offers(new DeadLetters(null, null), 1);
    store.refuseAdds(TraceId.parse(BAD));
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(record(0, TestSpans.span(1)), record(1, TestSpans.span(2).trace(BAD)));
    for (int i = 0; i < 3; i++) {
      assertThat(offer(offers, batch)).isEmpty();
      clock.advance(Duration.ofMillis(RefusalBackoff.MAX_DELAY_MILLIS));
    }
    assertThat(store.usage().spans()).isZero();
    assertThat(offers.refusals()).isEqualTo(3);
  }
}
