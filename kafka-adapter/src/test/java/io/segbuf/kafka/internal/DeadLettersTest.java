package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SegbufException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Copies to the dead-letter topic through Kafka's MockProducer, one that acknowledges and one that fails. */
class DeadLettersTest {
  private static final TopicPartition TP = new TopicPartition("ingest-spans", 2);
  private static final ConsumerRecord<byte[], byte[]> RECORD = new ConsumerRecord<>(TP.topic(), TP.partition(), 42,
      0L, TimestampType.CREATE_TIME, 0, 0, "key".getBytes(StandardCharsets.UTF_8),
      "value".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty());

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final MockProducer<byte[], byte[]> failing =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
          return CompletableFuture.failedFuture(new KafkaException("dead-letter topic unavailable"));
        }
      };

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aSpanTheStoreRefusesIsCopiedAsItWasWithWhyAndWhereFromAndCounted() {
    DeadLetters deadLetters = new DeadLetters(producer, "dead-letters");
    assertThat(deadLetters.enabled()).isTrue();
    assertThat(deadLetters.copyRefused(TP, RECORD, new SegbufException("store full\n"))).isTrue();
    ProducerRecord<byte[], byte[]> copy = producer.history().get(0);
    assertThat(copy.topic()).isEqualTo("dead-letters");
    assertThat(copy.key()).isEqualTo(RECORD.key());
    assertThat(copy.value()).isEqualTo(RECORD.value());
    assertThat(header(copy, DeadLetters.REFUSED_REASON)).contains("store full").doesNotContain("\n");
    assertThat(header(copy, DeadLetters.SOURCE_PARTITION)).isEqualTo("2");
    assertThat(header(copy, DeadLetters.SOURCE_OFFSET)).isEqualTo("42");
    assertThat(deadLetters.copied()).isEqualTo(1);
  }

  @Test
  void aCopyNotAcknowledgedIsNotCountedAndARefusedSpanMustBeReadAgain() {
    DeadLetters deadLetters = new DeadLetters(failing, "dead-letters");
    assertThat(deadLetters.copyRefused(TP, RECORD, new SegbufException("store full"))).isFalse();
    deadLetters.copyInvalid(TP, RECORD, "MISSING_SPAN_ID", "no span_id");
    deadLetters.awaitInvalid(); // logged, not thrown: the span stays counted as invalid
    assertThat(deadLetters.copied()).isZero();
  }

  @Test
  void invalidSpansAreCopiedWithTheirReasonAndCountedOnceAwaited() {
    DeadLetters deadLetters = new DeadLetters(producer, "dead-letters");
    deadLetters.copyInvalid(TP, RECORD, "MISSING_SPAN_ID", "no\tspan_id");
    assertThat(deadLetters.copied()).isZero();
    deadLetters.awaitInvalid();
    assertThat(deadLetters.copied()).isEqualTo(1);
    deadLetters.awaitInvalid();
    assertThat(deadLetters.copied()).as("each copy awaited once").isEqualTo(1);
    ProducerRecord<byte[], byte[]> copy = producer.history().get(0);
    assertThat(header(copy, DeadLetters.INVALID_REASON)).isEqualTo("MISSING_SPAN_ID");
    assertThat(header(copy, DeadLetters.INVALID_DETAIL)).contains("span_id").doesNotContain("\t");
  }

  @Test
  void withoutATopicNothingIsCopiedAndARefusedSpanMustBeReadAgain() {
    DeadLetters deadLetters = new DeadLetters(producer, null);
    assertThat(deadLetters.enabled()).isFalse();
    assertThat(deadLetters.copyRefused(TP, RECORD, new SegbufException("store full"))).isFalse();
    deadLetters.copyInvalid(TP, RECORD, "MISSING_SPAN_ID", "no span_id");
    assertThat(producer.history()).isEmpty();
    assertThat(new DeadLetters(null, "dead-letters").enabled()).isFalse();
  }

  @Test
  void closingClosesTheProducer() {
    new DeadLetters(producer, "dead-letters").close();
    assertThat(producer.closed()).isTrue();
    new DeadLetters(null, null).close(); // nothing to close
  }

  @Test
  void anInterruptedWaitForACopyIsNotACopyAndKeepsTheInterrupt() {
    MockProducer<byte[], byte[]> silent =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    DeadLetters deadLetters = new DeadLetters(silent, "dead-letters");
    Thread.currentThread().interrupt();
    boolean copied = deadLetters.copyRefused(TP, RECORD, new SegbufException("store full"));
    assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    assertThat(copied).isFalse();
    assertThat(deadLetters.copied()).isZero();
  }
}
