package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Decoded {@code buffered-segments} records, and the checks every test makes on them. Shipped in kafka-adapter's
 * test-jar for the cli's integration tests.
 */
public final class OutputRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One record: where it was, its key and headers, and the span ids in its value. */
  public record Out(int partition, long offset, String key, Map<String, String> headers, String flushId,
      List<String> spanIds, int valueBytes, boolean skipEnrichment) {
    int chunkIndex() {
      return Integer.parseInt(headers.get(KafkaSegmentSink.CHUNK_INDEX));
    }

    int chunkCount() {
      return Integer.parseInt(headers.get(KafkaSegmentSink.CHUNK_COUNT));
    }

    String generation() {
      return java.util.Objects.requireNonNull(headers.get(KafkaSegmentSink.GENERATION));
    }
  }

  private OutputRecords() {}

  public static List<Out> decode(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Out> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Map<String, String> headers = new HashMap<>();
      for (Header h : r.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.US_ASCII));
      }
      try {
        JsonNode value = JSON.readTree(r.value());
        List<String> ids = new ArrayList<>();
        value.get("spans").forEach(s -> ids.add(s.get("span_id").asText()));
        out.add(new Out(r.partition(), r.offset(), new String(r.key(), StandardCharsets.US_ASCII), headers,
            value.get("flush_id").asText(), ids, r.value().length,
            value.has("skip_enrichment") && value.get("skip_enrichment").asBoolean()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Records after dropping repeated flush ids (a re-flush after a retry or a crash), first copy kept. */
  public static List<Out> dedupe(List<Out> records) {
    Map<String, Out> byFlushId = new LinkedHashMap<>();
    for (Out r : records) {
      byFlushId.putIfAbsent(r.flushId(), r);
    }
    return new ArrayList<>(byFlushId.values());
  }

  /** How often each span id occurs. */
  public static Map<String, Integer> spanCounts(List<Out> records) {
    Map<String, Integer> counts = new HashMap<>();
    for (Out r : records) {
      r.spanIds().forEach(id -> counts.merge(id, 1, Integer::sum));
    }
    return counts;
  }

  /** Asserts that the records hold exactly {@code spanIds}, each once after dedupe by flush id. */
  public static void assertExactlyOnce(List<Out> records, Set<String> spanIds) {
    Map<String, Integer> counts = spanCounts(dedupe(records));
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(spanIds);
    assertThat(counts.values()).allMatch(n -> n == 1);
  }

  /** Asserts that records with the same flush id have the same value bytes: a re-flush repeats a message exactly. */
  public static void assertSameBytesPerFlushId(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, byte[]> byFlushId = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String flushId = new String(r.headers().lastHeader(KafkaSegmentSink.FLUSH_ID).value(),
          StandardCharsets.US_ASCII);
      assertThat(byFlushId.computeIfAbsent(flushId, id -> r.value())).as("bytes of flush id %s", flushId)
          .isEqualTo(r.value());
    }
  }

  /** Distinct span ids seen, after dedupe. */
  public static int distinctSpans(List<ConsumerRecord<byte[], byte[]>> records) {
    return spanCounts(dedupe(decode(records))).size();
  }
}
