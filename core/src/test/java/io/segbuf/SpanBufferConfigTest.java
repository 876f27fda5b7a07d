package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each rule of {@link SpanBufferConfig.Builder#build()} at its boundary, and what a built config keeps. */
class SpanBufferConfigTest {

  private static SpanBufferConfig.Builder smallest() {
    return SpanBufferConfig.builder()
        .timeout(Duration.ofNanos(1))
        .rootTimeout(Duration.ofNanos(1))
        .maxLifetime(Duration.ofNanos(1))
        .maxSegmentBytes(SpanBufferConfig.MIN_MESSAGE_BYTES)
        .maxFlushSegments(1)
        .maxBufferedBytes(0)
        .sendTimeout(Duration.ofNanos(1));
  }

  @Test
  void theSmallestValuesOfEveryRuleAreValid() {
    SpanBufferConfig config = smallest().build();

    assertThat(config.flushPolicy())
        .isEqualTo(new FlushPolicy(Duration.ofNanos(1), Duration.ofNanos(1), Duration.ofNanos(1), 256));
    assertThat(config.maxMessageBytes()).isEqualTo(256);
    assertThat(config.maxFlushSegments()).isEqualTo(1);
    assertThat(config.maxBufferedBytes()).isZero();
    assertThat(config.sendTimeout()).isEqualTo(Duration.ofNanos(1));
    assertThat(smallest().maxMessageBytes(256).maxSegmentBytes(1).build().maxMessageBytes()).isEqualTo(256);
  }

  @Test
  void oneBelowEachSmallestValueIsAProblem() {
    assertThatThrownBy(() -> smallest().maxMessageBytes(255).maxFlushSegments(0).maxBufferedBytes(-1)
            .sendTimeout(Duration.ZERO).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "maxMessageBytes must be >= 256 but was 255",
            "maxFlushSegments must be >= 1 but was 0",
            "maxBufferedBytes must be >= 0 but was -1",
            "sendTimeout must be > 0 but was PT0S"));
    assertThatThrownBy(() -> smallest().maxSegmentBytes(255).sendTimeout(Duration.ofNanos(-1)).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactly(
            "maxSegmentBytes must be >= 256 (the message budget while maxMessageBytes is unset) but was 255",
            "sendTimeout must be > 0 but was PT-0.000000001S"));
  }

  @Test
  void aSegmentLimitTheFlushPolicyRefusesIsReportedOnce() {
    assertThatThrownBy(() -> smallest().maxSegmentBytes(0).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages())
            .containsExactly("maxSegmentBytes must be >= 1 but was 0"));
  }

  @Test
  void theMessageBudgetFollowsTheSegmentLimitUntilSet() {
    assertThat(smallest().maxSegmentBytes(5_000).build().maxMessageBytes()).isEqualTo(5_000);
    assertThat(smallest().maxSegmentBytes(5_000).maxMessageBytes(300).build().maxMessageBytes()).isEqualTo(300);
    assertThat(smallest().maxSegmentBytes(Long.MAX_VALUE).build().maxMessageBytes())
        .isEqualTo(Integer.MAX_VALUE - 64);
  }

  @Test
  void toBuilderKeepsEveryValueAndWhetherTheBudgetWasSet() {
    SpanBufferConfig config = SpanBufferConfig.builder()
        .timeout(Duration.ofSeconds(7))
        .rootTimeout(Duration.ofSeconds(3))
        .maxLifetime(Duration.ofMinutes(2))
        .maxSegmentBytes(9_000)
        .chunking(ChunkingStrategy.values()[ChunkingStrategy.values().length - 1])
        .maxFlushSegments(17)
        .maxBufferedBytes(123_456)
        .sendTimeout(Duration.ofSeconds(11))
        .build();

    SpanBufferConfig copy = config.toBuilder().build();

    assertThat(copy.toString()).isEqualTo(config.toString());
    assertThat(copy.flushPolicy()).isEqualTo(config.flushPolicy());
    assertThat(copy.chunking()).isEqualTo(config.chunking());
    assertThat(copy.maxFlushSegments()).isEqualTo(17);
    assertThat(copy.maxBufferedBytes()).isEqualTo(123_456);
    assertThat(copy.sendTimeout()).isEqualTo(Duration.ofSeconds(11));
    // the budget was not set, so it still follows the segment limit
    assertThat(copy.toBuilder().maxSegmentBytes(4_000).build().maxMessageBytes()).isEqualTo(4_000);
    assertThat(config.toBuilder().maxMessageBytes(1_000).build().toBuilder().maxSegmentBytes(4_000).build()
        .maxMessageBytes()).isEqualTo(1_000);
  }

  @Test
  void toStringNamesEveryValue() {
    assertThat(smallest().maxBufferedBytes(99).build().toString())
        .contains("maxMessageBytes=256", "chunking=" + SpanBufferConfig.DEFAULT_CHUNKING, "maxFlushSegments=1",
            "maxBufferedBytes=99", "sendTimeout=PT0.000000001S");
  }
}
