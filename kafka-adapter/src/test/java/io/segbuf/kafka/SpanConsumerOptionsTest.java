package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
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

  @Test
  void everyOptionSetIsReadBackAndKeptByToBuilder() {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
    SpanConsumerOptions options = SpanConsumerOptions.builder().bootstrapServers("a:1,b:2").topic("spans-in")
        .groupId("group-7").consumerProperties(Map.of("max.poll.records", "50")).pollTimeout(Duration.ofMillis(250))
        .pauseAboveMemoryFraction(0.5).pauseAboveBufferedBytes(4096).laggingFlushCycles(7).drainOnRevoke(false)
        .flushThreads(3).deadLetterTopic("dead").deadLetterAfterRefusals(4).clock(clock).build();

    for (SpanConsumerOptions o : new SpanConsumerOptions[] {options, options.toBuilder().build()}) {
      assertThat(o.bootstrapServers()).isEqualTo("a:1,b:2");
      assertThat(o.topic()).isEqualTo("spans-in");
      assertThat(o.groupId()).isEqualTo("group-7");
      assertThat(o.consumerProperties()).containsExactly(Map.entry("max.poll.records", "50"));
      assertThat(o.pollTimeout()).isEqualTo(Duration.ofMillis(250));
      assertThat(o.pauseAboveMemoryFraction()).isEqualTo(0.5);
      assertThat(o.pauseAboveBufferedBytes()).isEqualTo(4096);
      assertThat(o.laggingFlushCycles()).isEqualTo(7);
      assertThat(o.drainOnRevoke()).isFalse();
      assertThat(o.flushThreads()).isEqualTo(3);
      assertThat(o.deadLetterTopic()).isEqualTo("dead");
      assertThat(o.deadLetterAfterRefusals()).isEqualTo(4);
      assertThat(o.clock()).isSameAs(clock);
    }
    assertThat(options.toString()).isEqualTo("SpanConsumerOptions{bootstrapServers=a:1,b:2, topic=spans-in, "
        + "groupId=group-7, pollTimeout=PT0.25S, pauseAboveMemoryFraction=0.5, pauseAboveBufferedBytes=4096, "
        + "laggingFlushCycles=7, drainOnRevoke=false, flushThreads=3, deadLetterTopic=dead, "
        + "deadLetterAfterRefusals=4}");
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    SpanConsumerOptions options = SpanConsumerOptions.builder().bootstrapServers("b:1").groupId("g").build();
    assertThat(options.topic()).isEqualTo(SpanConsumerOptions.DEFAULT_TOPIC);
    assertThat(options.consumerProperties()).isEmpty();
    assertThat(options.pollTimeout()).isEqualTo(SpanConsumerOptions.DEFAULT_POLL_TIMEOUT);
    assertThat(options.pauseAboveMemoryFraction()).isEqualTo(SpanConsumerOptions.DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION);
    assertThat(options.pauseAboveBufferedBytes()).isEqualTo(SpanConsumerOptions.NO_BYTE_LIMIT);
    assertThat(options.laggingFlushCycles()).isEqualTo(SpanConsumerOptions.DEFAULT_LAGGING_FLUSH_CYCLES);
    assertThat(options.drainOnRevoke()).isTrue();
    assertThat(options.flushThreads()).isEqualTo(SpanConsumerOptions.DEFAULT_FLUSH_THREADS);
    assertThat(options.deadLetterTopic()).isNull();
    assertThat(options.deadLetterAfterRefusals()).isEqualTo(SpanConsumerOptions.DEFAULT_DEAD_LETTER_AFTER_REFUSALS);
    assertThat(options.clock()).isEqualTo(Clock.systemUTC());
  }
}
