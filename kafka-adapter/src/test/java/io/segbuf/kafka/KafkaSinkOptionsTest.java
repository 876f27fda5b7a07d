package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The producer settings the sink accepts at their boundaries ({@code KafkaSegmentSinkTest} has the problems). */
class KafkaSinkOptionsTest {

  @Test
  void theSmallestRequestSizeAndEveryWayOfSayingAllAreAccepted() {
    int min = KafkaSegmentSink.minRequestSize();
    KafkaSinkOptions options = KafkaSinkOptions.builder().bootstrapServers("b:1")
        .producerProperty("max.request.size", " " + min + " ").producerProperty("acks", " -1")
        .producerProperty("enable.idempotence", "TRUE").producerProperty("max.in.flight.requests.per.connection", "5")
        .build();
    assertThat(options.maxRequestSize()).isEqualTo(min);
    assertThat(KafkaSinkOptions.builder().bootstrapServers("b:1").producerProperty("acks", "all ")
        .producerProperty("max.in.flight.requests.per.connection", "1").build().producerConfig())
        .containsEntry("acks", "all");
  }

  @Test
  void aRequestSizeBelowTheSmallestOrNotANumberIsRefused() {
    int min = KafkaSegmentSink.minRequestSize();
    assertThatThrownBy(() -> KafkaSinkOptions.builder().bootstrapServers("b:1")
            .producerProperty("max.request.size", Integer.toString(min - 1)).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "max.request.size must be >= " + min + " (room for the smallest message, key and headers) but was "
                + (min - 1)));
    assertThatThrownBy(() -> KafkaSinkOptions.builder().bootstrapServers("b:1")
            .producerProperty("max.request.size", "1MB").build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages())
            .containsExactly("max.request.size must be an integer but was '1MB'"));
  }

  @Test
  void settingsTheSinkMakesItselfAreRefused() {
    assertThatThrownBy(() -> KafkaSinkOptions.builder().bootstrapServers("b:1")
            .producerProperty("max.in.flight.requests.per.connection", "0")
            .producerProperty("bootstrap.servers", "c:2").producerProperty("key.serializer", "x").build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "max.in.flight.requests.per.connection must be 1 to 5 (chunks keep their order) but was 0",
            "producerProperties must not set bootstrap.servers but was c:2",
            "producerProperties must not set key.serializer but was x"));
  }

  @Test
  void everyOptionSetIsReadBackAndKeptByToBuilder() {
    KafkaSinkOptions options = KafkaSinkOptions.builder().bootstrapServers("a:1,b:2").topic("segments-out")
        .producerProperties(Map.of("max.request.size", "200000", "compression.type", "lz4")).build();

    for (KafkaSinkOptions o : new KafkaSinkOptions[] {options, options.toBuilder().build()}) {
      assertThat(o.bootstrapServers()).isEqualTo("a:1,b:2");
      assertThat(o.topic()).isEqualTo("segments-out");
      assertThat(o.producerProperties())
          .isEqualTo(Map.of("max.request.size", "200000", "compression.type", "lz4"));
      assertThat(o.maxRequestSize()).isEqualTo(200_000);
      assertThat(o.producerConfig()).containsEntry("bootstrap.servers", "a:1,b:2")
          .containsEntry("max.request.size", "200000").containsEntry("compression.type", "lz4")
          .containsEntry("enable.idempotence", "true").containsEntry("acks", "all");
    }
    assertThat(options.toString()).startsWith(
        "KafkaSinkOptions{bootstrapServers=a:1,b:2, topic=segments-out, maxRequestSize=200000, producerProperties=[");
  }

  @Test
  void theDefaultsAreTheDocumentedOnesAndGivenProducerSettingsWin() {
    KafkaSinkOptions options = KafkaSinkOptions.builder().bootstrapServers("b:1").build();
    assertThat(options.topic()).isEqualTo(KafkaSinkOptions.DEFAULT_TOPIC);
    assertThat(options.producerProperties()).isEmpty();
    assertThat(options.maxRequestSize()).isEqualTo(KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE);
    assertThat(options.producerConfig()).containsEntry("max.block.ms", "10000").containsEntry("batch.size", "262144")
        .containsEntry("max.request.size", "1048576");
    assertThat(KafkaSinkOptions.builder().bootstrapServers("b:1").producerProperty("max.block.ms", "500")
        .producerProperty("batch.size", "1024").build().producerConfig())
        .containsEntry("max.block.ms", "500").containsEntry("batch.size", "1024");
  }
}
