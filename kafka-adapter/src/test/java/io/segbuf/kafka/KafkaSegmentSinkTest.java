package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import io.segbuf.kafka.internal.RecordSize;
import io.segbuf.spi.RejectedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaSegmentSinkTest {
  private static final SegmentKey SEGMENT =
      new SegmentKey(42, TraceId.parse("0123456789abcdef0123456789abcdef"), 0x00000000000000abL);

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());

  private static Message message(int chunkIndex, int chunkCount, int valueBytes) {
    return new Message(SEGMENT, 3, chunkIndex, chunkCount, chunkCount > 1, "f".repeat(32), 2,
        "x".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII));
  }

  private static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
    Map<String, String> out = new HashMap<>();
    for (Header h : record.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.US_ASCII));
    }
    return out;
  }

  @Test
  void recordIsKeyedBySegmentAndCarriesItsMetadataInHeaders() {
    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", 1_048_576);
    Message m = message(1, 2, 100);
    CompletableFuture<?> ack = sink.send(m).toCompletableFuture();
    assertThat(ack).isNotDone();
    producer.completeNext();
    assertThat(ack).isCompleted();

    ProducerRecord<byte[], byte[]> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo("out");
    assertThat(new String(record.key(), StandardCharsets.US_ASCII))
        .isEqualTo("42:0123456789abcdef0123456789abcdef:00000000000000ab");
    assertThat(record.value()).isSameAs(m.value());
    assertThat(headers(record)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "segment_id", "00000000000000ab", "chunk_index", "1", "chunk_count", "2", "generation", "3",
        "flush_id", "f".repeat(32), "skip_enrichment", "true"));
  }

  @Test
  void messageAtTheBudgetIsSentAndALargerOneIsRejectedBeforeSending() {
    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", 10_000);
    int budget = sink.maxMessageBytes();
    assertThat(budget).isBetween(10_000 - 400, 10_000 - 200);

    sink.send(message(0, 1, budget));
    assertThat(producer.history()).hasSize(1);

    CompletableFuture<?> tooLarge = sink.send(message(0, 1, budget + 200)).toCompletableFuture();
    assertThat(producer.history()).hasSize(1);
    assertThatThrownBy(tooLarge::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(RejectedMessageException.class)
        .hasMessageContaining("exceeds max.request.size=10,000");
  }

  @Test
  void budgetLeavesRoomForTheLongestKeyAndHeaders() {
    int budget = KafkaSegmentSink.maxMessageBytes(1_048_576);
    int worst = RecordSize.upperBound(KafkaSegmentSink.MAX_KEY_BYTES, budget, KafkaSegmentSink.MAX_HEADERS_BYTES);
    assertThat(worst).isLessThanOrEqualTo(1_048_576);
    assertThat(RecordSize.upperBound(KafkaSegmentSink.MAX_KEY_BYTES, budget + 1,
        KafkaSegmentSink.MAX_HEADERS_BYTES)).isGreaterThan(1_048_576);
  }

  @Test
  void brokerRefusingARecordAsTooLargeIsARejection() {
    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", 1_048_576);
    CompletableFuture<?> ack = sink.send(message(0, 1, 10)).toCompletableFuture();
    producer.errorNext(new RecordTooLargeException("too large"));
    assertThatThrownBy(ack::get).cause().isInstanceOf(RejectedMessageException.class);
  }

  @Test
  void otherFailuresAreRetriable() {
    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", 1_048_576);
    CompletableFuture<?> ack = sink.send(message(0, 1, 10)).toCompletableFuture();
    producer.errorNext(new NotLeaderOrFollowerException("moving"));
    assertThatThrownBy(ack::get).cause().isInstanceOf(NotLeaderOrFollowerException.class);
  }

  @Test
  void sendAfterCloseFailsTheStageInsteadOfThrowing() {
    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", 1_048_576);
    sink.close();
    CompletableFuture<?> ack = sink.send(message(0, 1, 10)).toCompletableFuture();
    assertThat(ack).isCompletedExceptionally();
  }

  @Test
  void optionsReportEveryProblemAtOnce() {
    assertThatThrownBy(() -> KafkaSinkOptions.builder()
            .topic("bad topic")
            .producerProperty("max.request.size", "100")
            .producerProperty("acks", "1")
            .producerProperty("enable.idempotence", "false")
            .producerProperty("max.in.flight.requests.per.connection", "10")
            .build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "bootstrapServers must be host:port[,host:port...] but was ''",
            "topic must be 1 to 249 of [a-zA-Z0-9._-] but was 'bad topic'",
            "max.request.size must be >= " + KafkaSegmentSink.minRequestSize()
                + " (room for the smallest message, key and headers) but was 100",
            "acks must be all but was 1",
            "enable.idempotence must be true but was false",
            "max.in.flight.requests.per.connection must be 1 to 5 (chunks keep their order) but was 10"));
  }

  @Test
  void optionsMakeAnIdempotentAcksAllProducer() {
    KafkaSinkOptions options = KafkaSinkOptions.builder().bootstrapServers("localhost:9092")
        .producerProperty("max.request.size", "20000").producerProperty("linger.ms", "5").build();
    assertThat(options.maxRequestSize()).isEqualTo(20_000);
    assertThat(options.producerConfig()).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
        .containsEntry("linger.ms", "5").containsEntry("bootstrap.servers", "localhost:9092")
        .containsEntry("max.block.ms", "10000").containsEntry("batch.size", "262144");
    assertThat(options.toBuilder().producerProperty("max.block.ms", "2500").producerProperty("batch.size", "1000")
        .build().producerConfig()).containsEntry("max.block.ms", "2500").containsEntry("batch.size", "1000");
    assertThat(options.topic()).isEqualTo("buffered-segments");
  }

  @Test
  void aRecordOfExactlyTheRequestSizeIsSent() {
    String refusal = new KafkaSegmentSink(producer, "out", 1).send(message(0, 1, 1000)).toCompletableFuture()
        .handle((ok, error) -> error.getMessage()).join();
    var size = java.util.regex.Pattern.compile("record of ([0-9,]+) bytes").matcher(refusal);
    assertThat(size.find()).as(refusal).isTrue();
    int exact = Integer.parseInt(size.group(1).replace(",", ""));

    KafkaSegmentSink sink = new KafkaSegmentSink(producer, "out", exact);
    sink.send(message(0, 1, 1000));
    assertThat(producer.history()).hasSize(1);
    assertThat(sink.topic()).isEqualTo("out");
  }
}
