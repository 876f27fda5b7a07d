package io.segbuf.cli.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Test helper: runs a generator and reads its lines back with jackson-databind. */
final class GeneratedSpans {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The fields of one line that the tests check. */
  record Line(
      int index,
      int size,
      String text,
      JsonNode json,
      String traceId,
      String spanId,
      @Nullable String parentSpanId,
      boolean segment,
      double received,
      double end) {}

  private final List<Line> lines;

  private GeneratedSpans(List<Line> lines) {
    this.lines = lines;
  }

  static GeneratedSpans generate(GeneratorOptions options) {
    List<Line> lines = new ArrayList<>();
    int index = 0;
    for (byte[] bytes : new SpanGenerator(options)) {
      lines.add(parse(index++, bytes));
    }
    return new GeneratedSpans(lines);
  }

  static byte[] ndjson(GeneratorOptions options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new SpanGenerator(options).writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Line parse(int index, byte[] bytes) {
    String text = decodeStrictUtf8(bytes);
    JsonNode json;
    try {
      json = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError("line " + index + " is not JSON: " + e.getMessage(), e);
    }
    JsonNode parent = json.get("parent_span_id");
    JsonNode segment = json.get("is_segment");
    return new Line(
        index,
        bytes.length,
        text,
        json,
        json.path("trace_id").asText(""),
        json.path("span_id").asText(""),
        parent == null ? null : parent.asText(),
        segment != null && segment.asBoolean(),
        json.path("received").asDouble(),
        json.path("end_timestamp").asDouble());
  }

  /** Decodes with a decoder that reports malformed input, so invalid UTF-8 fails the test. */
  static String decodeStrictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("invalid UTF-8: " + e, e);
    }
  }

  List<Line> lines() {
    return lines;
  }

  /** Lines grouped by trace id, in first-seen order. */
  Map<String, List<Line>> byTrace() {
    Map<String, List<Line>> traces = new LinkedHashMap<>();
    for (Line line : lines) {
      traces.computeIfAbsent(line.traceId(), t -> new ArrayList<>()).add(line);
    }
    return traces;
  }

  /** Depth of every span of one trace (root 0), following parents. */
  static Map<String, Integer> depths(List<Line> trace) {
    Map<String, @Nullable String> parents = new HashMap<>();
    for (Line line : trace) {
      parents.put(line.spanId(), line.parentSpanId());
    }
    Map<String, Integer> depths = new HashMap<>();
    for (Line line : trace) {
      int depth = 0;
      String parent = line.parentSpanId();
      while (parent != null) {
        depth++;
        if (depth > trace.size()) {
          throw new AssertionError("parent cycle at " + line.spanId());
        }
        parent = parents.get(parent);
      }
      depths.put(line.spanId(), depth);
    }
    return depths;
  }

  /** Number of children of every span of one trace. */
  static Map<String, Integer> childCounts(List<Line> trace) {
    Map<String, Integer> children = new HashMap<>();
    for (Line line : trace) {
      String parent = line.parentSpanId();
      if (parent != null) {
        children.merge(parent, 1, Integer::sum);
      }
    }
    return children;
  }

  /** How many spans a tree can hold without exceeding fan-out: 1 + f + f^2 + ... + f^depth. */
  static long capacity(int depth, int fanOut) {
    long capacity = 1;
    long level = 1;
    for (int d = 1; d <= depth && capacity < Integer.MAX_VALUE; d++) {
      level = Math.min(level * fanOut, Integer.MAX_VALUE);
      capacity += level;
    }
    return capacity;
  }
}
