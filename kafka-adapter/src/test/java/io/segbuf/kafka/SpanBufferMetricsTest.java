package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.RecordingSink;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanBufferMetricsTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  @Test
  void metersFollowTheBuffersStats() {
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), SegmentStore.inMemory(), new RecordingSink());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer, null, Tags.of("service", "test")).bindTo(registry);

    buffer.offer(0, List.of(TestSpans.span(1).bytes(), TestSpans.span(2).parent(1).bytes(),
        "{\"span_id\":1}".getBytes(StandardCharsets.UTF_8)), T0);
    assertThat(registry.get("segbuf.buffer.spans").tag("service", "test").gauge().value()).isEqualTo(2);
    assertThat(registry.get("segbuf.spans.invalid").tag("reason", "span_id").functionCounter().count())
        .isEqualTo(1);

    buffer.flush(0, T0.plusSeconds(10));
    // a fresh registry reads a fresh snapshot
    SimpleMeterRegistry later = new SimpleMeterRegistry();
    new SpanBufferMetrics(buffer).bindTo(later);
    assertThat(later.get("segbuf.buffer.spans").gauge().value()).isZero();
    assertThat(later.get("segbuf.spans.flushed").functionCounter().count()).isEqualTo(2);
    assertThat(later.get("segbuf.segments.flushed").tag("reason", "root_timeout").functionCounter().count())
        .isEqualTo(1);
    assertThat(later.get("segbuf.messages.flushed").functionCounter().count()).isEqualTo(1);
    assertThat(later.find("segbuf.consumer.lag").gauge()).isNull();
  }
}
