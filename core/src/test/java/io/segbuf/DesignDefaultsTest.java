package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The design's table of defaults shows the constants that {@link FlushPolicy} and {@link SpanBufferConfig} use. */
class DesignDefaultsTest {

  @Test
  void theDefaultsTableShowsTheConstants() throws IOException {
    DefaultsTable table = DefaultsTable.read("docs/design.md", "## 8. Defaults");
    SpanBufferConfig defaults = SpanBufferConfig.defaults();

    assertThat(table.duration("timeout")).isEqualTo(FlushPolicy.DEFAULT_TIMEOUT)
        .isEqualTo(defaults.flushPolicy().timeout());
    assertThat(table.duration("rootTimeout")).isEqualTo(FlushPolicy.DEFAULT_ROOT_TIMEOUT)
        .isEqualTo(defaults.flushPolicy().rootTimeout());
    assertThat(table.text("maxLifetime")).isEqualTo("off");
    assertThat(defaults.flushPolicy().maxLifetime()).isNull();
    assertThat(table.number("maxSegmentBytes")).isEqualTo(FlushPolicy.DEFAULT_MAX_SEGMENT_BYTES)
        .isEqualTo(defaults.flushPolicy().maxSegmentBytes());
    assertThat(table.text("maxMessageBytes")).startsWith("= maxSegmentBytes");
    assertThat(defaults.maxMessageBytes()).isEqualTo(FlushPolicy.DEFAULT_MAX_SEGMENT_BYTES);
    assertThat(table.text("chunking")).isEqualTo(SpanBufferConfig.DEFAULT_CHUNKING.name())
        .isEqualTo(defaults.chunking().name());
    assertThat(table.number("maxFlushSegments")).isEqualTo(SpanBufferConfig.DEFAULT_MAX_FLUSH_SEGMENTS)
        .isEqualTo(defaults.maxFlushSegments());
    assertThat(table.text("maxBufferedBytes")).isEqualTo("off");
    assertThat(defaults.maxBufferedBytes()).isEqualTo(SpanBufferConfig.NO_BUFFER_LIMIT);
    assertThat(table.duration("sendTimeout")).isEqualTo(SpanBufferConfig.DEFAULT_SEND_TIMEOUT)
        .isEqualTo(defaults.sendTimeout());
  }
}
