package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpanConsumerOptionsTest {
  @Test
  void optionsReportEveryProblemAtOnce() {
    assertThatThrownBy(() -> SpanConsumerOptions.builder()
            .topic("")
            .pollTimeout(Duration.ZERO)
            .pauseAboveMemoryFraction(1.5)
            .pauseAboveBufferedBytes(-1)
            .laggingFlushCycles(0)
            .flushThreads(-1)
            .deadLetterTopic("dead letters")
            .deadLetterAfterRefusals(0)
            .consumerProperty("enable.auto.commit", "true")
            .consumerProperty("group.id", "other")
            .consumerProperty("auto.offset.reset", "by_duration:PT1H")
            .build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "bootstrapServers must be host:port[,host:port...] but was ''",
            "topic must be 1 to 249 of [a-zA-Z0-9._-] but was ''",
            "groupId must not be blank but was ''",
            "pollTimeout must be > 0 but was PT0S",
            "pauseAboveMemoryFraction must be in (0, 1] but was 1.5",
            "pauseAboveBufferedBytes must be >= 0 but was -1",
            "flushThreads must be >= 0 but was -1",
            "laggingFlushCycles must be >= 1 but was 0",
            "deadLetterAfterRefusals must be >= 1 but was 0",
            "deadLetterTopic must be 1 to 249 of [a-zA-Z0-9._-] but was 'dead letters'",
            "consumerProperties auto.offset.reset must be earliest or latest but was by_duration:PT1H",
            "consumerProperties must not set enable.auto.commit but was true",
            "consumerProperties must not set group.id but was other"));
  }

  @Test
  void consumerConfigKeepsWhatTheLoopReliesOn() {
    SpanConsumerOptions options = SpanConsumerOptions.builder().bootstrapServers("localhost:9092").groupId("g")
        .consumerProperty("max.poll.records", "50").consumerProperty("auto.offset.reset", "latest").build();
    assertThat(options.consumerConfig()).containsEntry("enable.auto.commit", "false").containsEntry("group.id", "g")
        .containsEntry("bootstrap.servers", "localhost:9092").containsEntry("max.poll.records", "50")
        .containsEntry("auto.offset.reset", "none");
    assertThat(options.startAtEarliest()).isFalse();
    assertThat(SpanConsumerOptions.builder().bootstrapServers("b:1").groupId("g").build().startAtEarliest()).isTrue();
    assertThat(options.toBuilder().build().toString()).isEqualTo(options.toString());
  }

  @Test
  void everyBoundaryValueIsAccepted() {
    SpanConsumerOptions options = SpanConsumerOptions.builder().bootstrapServers("b:1").groupId("g")
        .pollTimeout(Duration.ofNanos(1)).pauseAboveMemoryFraction(1).pauseAboveBufferedBytes(0).flushThreads(0)
        .laggingFlushCycles(1).deadLetterTopic("d").deadLetterAfterRefusals(1)
        .consumerProperty("auto.offset.reset", "earliest").build();
    assertThat(options.pauseAboveMemoryFraction()).isEqualTo(1);
    assertThat(options.pauseAboveBufferedBytes()).isZero();
    assertThat(options.laggingFlushCycles()).isEqualTo(1);
    assertThat(options.startAtEarliest()).isTrue();
    assertThat(SpanConsumerOptions.builder().bootstrapServers("b:1").groupId("g").pauseAboveMemoryFraction(1e-9)
        .build().pauseAboveMemoryFraction()).isEqualTo(1e-9);
  }

  @Test
  void aMemoryFractionOfZeroOrLessIsRefused() {
    for (double fraction : new double[] {0, -0.5, Double.NaN}) {
      assertThatThrownBy(() -> SpanConsumerOptions.builder().bootstrapServers("b:1").groupId("g")
              .pauseAboveMemoryFraction(fraction).build())
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages())
              .containsExactly("pauseAboveMemoryFraction must be in (0, 1] but was " + fraction));
    }
  }
}
