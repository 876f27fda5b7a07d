package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What a dead-letter copy holds, and what is counted as copied when the producer acknowledges it or fails. */
class DeadLettersTest {
  private static final TopicPartition TP = new TopicPartition("spans", 3);
  private static final ConsumerRecord<byte[], byte[]> RECORD =
      new ConsumerRecord<>("spans", 3, 41, bytes("key"), bytes("{\"span\":1}"));

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A producer whose every send fails. */
  private static MockProducer<byte[], byte[]> failingProducer() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
        return CompletableFuture.failedFuture(new KafkaException("dead-letter topic unavailable"));
      }
    };
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "<none>" : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void anInvalidSpanIsCopiedWithItsReasonDetailAndSourceAndCountedOnceAcknowledged() {
    MockProducer<byte[], byte[]> producer = producer(true);
    DeadLetters letters = new DeadLetters(producer, "dead");

    letters.copyInvalid(TP, RECORD, "MALFORMED_JSON", "bad\nbyte \u001b at 3");

    assertThat(letters.enabled()).isTrue();
    assertThat(producer.history()).singleElement().satisfies(copy -> {
      assertThat(copy.topic()).isEqualTo("dead");
      assertThat(copy.key()).isEqualTo(RECORD.key());
      assertThat(copy.value()).isEqualTo(RECORD.value());
      assertThat(header(copy, DeadLetters.INVALID_REASON)).isEqualTo("MALFORMED_JSON");
      assertThat(header(copy, DeadLetters.INVALID_DETAIL)).isEqualTo("bad\\nbyte \\u001b at 3");
      assertThat(header(copy, DeadLetters.REFUSED_REASON)).isEqualTo("<none>");
      assertThat(header(copy, DeadLetters.SOURCE_PARTITION)).isEqualTo("3");
      assertThat(header(copy, DeadLetters.SOURCE_OFFSET)).isEqualTo("41");
    });
    assertThat(letters.copied()).isZero(); // not awaited yet
    letters.awaitInvalid();
    assertThat(letters.copied()).isEqualTo(1);
    letters.awaitInvalid(); // awaited once only
    assertThat(letters.copied()).isEqualTo(1);
  }

  @Test
  void anInvalidSpanWhoseCopyFailsIsNotCounted() {
    MockProducer<byte[], byte[]> producer = producer(false);
    DeadLetters letters = new DeadLetters(producer, "dead");
    letters.copyInvalid(TP, RECORD, "SPAN_ID", "span_id is missing");
    letters.copyInvalid(TP, RECORD, "SPAN_ID", "span_id is missing");
    producer.errorNext(new KafkaException("down"));
    producer.completeNext();

    letters.awaitInvalid();

    assertThat(letters.copied()).isEqualTo(1);
  }

  @Test
  void aRefusedSpanIsCopiedWithTheRefusalAndAcknowledgedBeforeTheCallReturns() {
    MockProducer<byte[], byte[]> producer = producer(true);
    DeadLetters letters = new DeadLetters(producer, "dead");

    assertThat(letters.copyRefused(TP, RECORD, new IllegalStateException("store\nrefuses"))).isTrue();

    assertThat(letters.copied()).isEqualTo(1);
    assertThat(producer.history()).singleElement().satisfies(copy -> {
      assertThat(header(copy, DeadLetters.REFUSED_REASON))
          .isEqualTo("java.lang.IllegalStateException: store\\nrefuses");
      assertThat(header(copy, DeadLetters.INVALID_REASON)).isEqualTo("<none>");
      assertThat(header(copy, DeadLetters.INVALID_DETAIL)).isEqualTo("<none>");
      assertThat(header(copy, DeadLetters.SOURCE_OFFSET)).isEqualTo("41");
    });
  }

  @Test
  void aRefusedSpanWhoseCopyFailsMustBeReadAgain() {
    DeadLetters letters = new DeadLetters(failingProducer(), "dead");

    assertThat(letters.copyRefused(TP, RECORD, new IllegalStateException("refused"))).isFalse();

    assertThat(letters.copied()).isZero();
  }

  @Test
  void anInterruptedWaitForACopyIsNotACopyAndKeepsTheInterrupt() {
    DeadLetters letters = new DeadLetters(producer(false), "dead");
    Thread.currentThread().interrupt();
    try {
      assertThat(letters.copyRefused(TP, RECORD, new IllegalStateException("refused"))).isFalse();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(letters.copied()).isZero();
  }

  @Test
  void withoutATopicOrAProducerNothingIsCopied() {
    MockProducer<byte[], byte[]> producer = producer(true);
    DeadLetters noTopic = new DeadLetters(producer, null);
    DeadLetters noProducer = new DeadLetters(null, "dead");

    for (DeadLetters letters : new DeadLetters[] {noTopic, noProducer}) {
      assertThat(letters.enabled()).isFalse();
      letters.copyInvalid(TP, RECORD, "SPAN_ID", "span_id is missing");
      letters.awaitInvalid();
      assertThat(letters.copyRefused(TP, RECORD, new IllegalStateException("refused"))).isFalse();
      assertThat(letters.copied()).isZero();
    }
    assertThat(producer.history()).isEmpty();
    noProducer.close();
  }

  @Test
  void closingClosesTheProducer() {
    MockProducer<byte[], byte[]> producer = producer(true);

    new DeadLetters(producer, "dead").close();

    assertThat(producer.closed()).isTrue();
  }
}
