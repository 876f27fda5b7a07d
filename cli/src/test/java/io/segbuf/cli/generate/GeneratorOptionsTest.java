package io.segbuf.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import org.junit.jupiter.api.Test;

class GeneratorOptionsTest {

  @Test
  void defaultsAreTheDocumentedValues() {
    GeneratorOptions options = GeneratorOptions.defaults();

    assertThat(options.seed()).isEqualTo(1);
    assertThat(options.traces()).isEqualTo(100);
    assertThat(options.spansPerTrace()).isEqualTo(20);
    assertThat(options.depth()).isEqualTo(5);
    assertThat(options.fanOut()).isEqualTo(8);
    assertThat(options.minSpanBytes()).isEqualTo(200);
    assertThat(options.maxSpanBytes()).isEqualTo(2048);
    assertThat(options.projects()).isEqualTo(3);
    assertThat(options.outOfOrder()).isEqualTo(0.2);
    assertThat(options.late()).isEqualTo(0.0);
    assertThat(options.lateSeconds()).isEqualTo(120);
    assertThat(options.serviceEntries()).isEqualTo(0.05);
    assertThat(options.concurrentTraces()).isEqualTo(10);
    assertThat(options.startEpochSeconds()).isEqualTo(1_700_000_000L);
    assertThat(options.tracesPerSecond()).isEqualTo(50);
    assertThat(options.unicode()).isTrue();
    assertThat(options.totalSpans()).isEqualTo(2000);
  }

  @Test
  void toBuilderKeepsEveryValue() {
    GeneratorOptions options =
        GeneratorOptions.builder()
            .seed(7)
            .traces(3)
            .spansPerTrace(4)
            .depth(2)
            .fanOut(3)
            .spanBytes(300, 400)
            .projects(9)
            .outOfOrder(0.5)
            .late(0.25)
            .lateSeconds(7)
            .serviceEntries(0.75)
            .concurrentTraces(2)
            .startEpochSeconds(42)
            .tracesPerSecond(1.5)
            .unicode(false)
            .build();

    assertThat(options.toBuilder().build()).isEqualTo(options);
  }

  @Test
  void oneInvalidValueIsReportedWithItsValue() {
    assertThatThrownBy(() -> GeneratorOptions.builder().traces(0).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("traces must be >= 1 but was 0");
  }

  @Test
  void everyInvalidValueIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                GeneratorOptions.builder()
                    .traces(0)
                    .spansPerTrace(-1)
                    .depth(0)
                    .fanOut(0)
                    .projects(0)
                    .outOfOrder(1.5)
                    .late(-0.1)
                    .lateSeconds(-1)
                    .serviceEntries(Double.NaN)
                    .concurrentTraces(0)
                    .startEpochSeconds(-5)
                    .tracesPerSecond(0)
                    .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("traces must be >= 1 but was 0")
        .hasMessageContaining("spansPerTrace must be between 1 and 1000000 but was -1")
        .hasMessageContaining("depth must be >= 1 but was 0")
        .hasMessageContaining("fanOut must be >= 1 but was 0")
        .hasMessageContaining("projects must be >= 1 but was 0")
        .hasMessageContaining("outOfOrder must be between 0 and 1 but was 1.5")
        .hasMessageContaining("late must be between 0 and 1 but was -0.1")
        .hasMessageContaining("lateSeconds must be between 0 and 31536000 but was -1")
        .hasMessageContaining("serviceEntries must be between 0 and 1 but was NaN")
        .hasMessageContaining("concurrentTraces must be >= 1 but was 0")
        .hasMessageContaining("startEpochSeconds must be between 0 and 9999999999 but was -5")
        .hasMessageContaining("tracesPerSecond must be between 0.001 and 1000000000 but was 0.0");
  }

  @Test
  void maxSpanBytesBelowMinSpanBytesIsRejected() {
    assertThatThrownBy(() -> GeneratorOptions.builder().spanBytes(500, 400).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("maxSpanBytes must be >= minSpanBytes (500) but was 400");
  }
}
