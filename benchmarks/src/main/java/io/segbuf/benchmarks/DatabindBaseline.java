package io.segbuf.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The straightforward port, as a span buffer written with a JSON library does it: parse each span into a tree,
 * patch it, serialize it again, sum the lengths, and build the messages.
 */
final class DatabindBaseline {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DatabindBaseline() {}

  static JsonNode parse(byte[] span) {
    try {
      return MAPPER.readTree(span);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Patches and re-serializes each span, then packs them greedily into messages of at most {@code max}. */
  static List<byte[]> flush(List<byte[]> spans, String segmentId, int max) {
    try {
      List<byte[]> encoded = new ArrayList<>(spans.size());
      long total = 0;
      for (byte[] bytes : spans) {
        ObjectNode span = (ObjectNode) MAPPER.readTree(bytes);
        span.put("is_segment", segmentId.equals(span.path("span_id").asText()));
        JsonNode attributes = span.get("attributes");
        ObjectNode attrs = attributes instanceof ObjectNode ? (ObjectNode) attributes : span.putObject("attributes");
        if (!attrs.has("sentry.segment.id")) {
          attrs.putObject("sentry.segment.id").put("type", "string").put("value", segmentId);
        }
        byte[] out = MAPPER.writeValueAsBytes(span);
        encoded.add(out);
        total += out.length + 1;
      }
      List<byte[]> messages = new ArrayList<>();
      boolean chunked = total + 64 > max;
      ByteArrayOutputStream message = null;
      for (byte[] span : encoded) {
        if (message == null || message.size() + span.length + 2 > max) {
          if (message != null) {
            messages.add(close(message));
          }
          message = new ByteArrayOutputStream();
          message.write(("{\"flush_id\":\"00000000000000000000000000000000\""
              + (chunked ? ",\"skip_enrichment\":true" : "") + ",\"spans\":[").getBytes(StandardCharsets.UTF_8));
        } else {
          message.write(',');
        }
        message.write(span);
      }
      if (message != null) {
        messages.add(close(message));
      }
      return messages;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] close(ByteArrayOutputStream message) {
    message.write(']');
    message.write('}');
    return message.toByteArray();
  }
}
