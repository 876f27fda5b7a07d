package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.END;
import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ParseResult;
import io.segbuf.Span;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Crafted ids and attribute values name no key: a shard's keys are named by the prefix and shard alone. */
class RedisStoreKeySafetyIT {
  private static final String TRACE = "00000000000000000000000000000000";

  private static Span span(long project, String spanId, String rest) {
    String json = "{\"trace_id\":\"" + TRACE + "\",\"span_id\":\"" + spanId + "\",\"project_id\":" + project
        + ",\"end_timestamp\":1.5" + rest + "}";
    ParseResult r = Span.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(r).isInstanceOf(Span.class);
    return (Span) r;
  }

  private static boolean valid(String json) {
    return Span.parse(json.getBytes(StandardCharsets.UTF_8)) instanceof Span;
  }

  @Test
  void craftedValuesStayInTheirOwnProjectsKeys() {
    String base = "{\"trace_id\":\"" + TRACE + "\",\"project_id\":7,\"end_timestamp\":1.5,";
    assertThat(valid(base + "\"span_id\":\"}:{8:" + TRACE.substring(6) + "\"}")).isFalse();
    assertThat(valid(base + "\"span_id\":\"AAAAAAAAAAAAAAAA\"}")).isFalse();
    assertThat(valid(base + "\"span_id\":\"aaaaaaaaaaaaaaaa\",\"attributes\":{\"sentry.segment.id\":"
        + "{\"type\":\"string\",\"value\":\"}:{8:00*\"}}}")).isFalse();

    try (RedisServers redis = RedisServers.standalone();
        RedisSegmentStore store = RedisSegmentStore.connect(options(redis).build())) {
      String crafted = ",\"name\":\"}:{8:" + TRACE + "}:n\",\"data\":\"\\r\\nFLUSHALL\\r\\n redis.call('DEL')\","
          + "\"attributes\":{\"x\":{\"type\":\"string\",\"value\":\"{8:" + TRACE + "}\"}}";
      List<Span> spans = new ArrayList<>();
      spans.add(span(7, "aaaaaaaaaaaaaaaa", crafted));
      spans.add(span(7, "bbbbbbbbbbbbbbbb", ",\"parent_span_id\":\"aaaaaaaaaaaaaaaa\"" + crafted));
      spans.add(span(8, "aaaaaaaaaaaaaaaa", ""));
      spans.add(span(8, "cccccccccccccccc", ",\"parent_span_id\":\"aaaaaaaaaaaaaaaa\""));
      store.add(0, spans, POLICY, Instant.ofEpochSecond(1));

      for (String key : redis.cli("KEYS", "*").split("\n")) {
        assertThat(key).matches("\\{segbuf:0\\}:(epoch|log:[0-9]+)");
      }
      Map<Long, List<Span>> flushed = new HashMap<>();
      for (DueSegment due : store.due(0, END, 10)) {
        SealedSegment sealed = store.seal(due.key(), END);
        assertThat(sealed).isNotNull();
        flushed.put(due.key().projectId(), store.read(sealed));
        store.complete(sealed, false);
      }
      assertThat(flushed.get(7L)).extracting(Span::bytes)
          .containsExactlyInAnyOrder(spans.get(0).bytes(), spans.get(1).bytes());
      assertThat(flushed.get(8L)).extracting(Span::bytes)
          .containsExactlyInAnyOrder(spans.get(2).bytes(), spans.get(3).bytes());
    }
  }
}
