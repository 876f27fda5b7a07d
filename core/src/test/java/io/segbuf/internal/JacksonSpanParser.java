package io.segbuf.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import io.segbuf.InvalidReason;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.io.IOException;

/**
 * The reference model for {@link SpanParser}: the same rules built on jackson-core's streaming parser and the
 * JDK's UTF-8 decoder, simple rather than fast. {@code SpanParserProperties} checks that both agree.
 */
final class JacksonSpanParser {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .disable(com.fasterxml.jackson.core.StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .streamReadConstraints(
              // payload is opaque: only nesting is bounded (no stack overflow); long names and numbers pass
              StreamReadConstraints.builder()
                  .maxNestingDepth(512)
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private static final int TRACE_ID = 1;
  private static final int SPAN_ID = 2;
  private static final int PARENT_SPAN_ID = 4;
  private static final int PROJECT_ID = 8;
  private static final int END_TIMESTAMP = 16;
  private static final int RECEIVED = 32;
  private static final int IS_SEGMENT = 64;
  private static final int ATTRIBUTES = 128;

  private static final String SEGMENT_ID_ATTRIBUTE = "sentry.segment.id";
  private static final int MAX_SHOWN = 40;

  private JacksonSpanParser() {}

  static ParseResult parse(byte[] bytes) {
    int bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      return invalid(InvalidReason.MALFORMED_JSON, "invalid UTF-8 at byte " + bad);
    }
    if (bytes.length >= 3 && bytes[0] == (byte) 0xef && bytes[1] == (byte) 0xbb && bytes[2] == (byte) 0xbf) {
      // Jackson skips a byte order mark, but the span's bytes are copied into messages as they are, and a mark
      // inside a JSON array is not white space.
      return invalid(InvalidReason.MALFORMED_JSON, "span must not start with a byte order mark");
    }
    try (JsonParser p = FACTORY.createParser(bytes)) {
      // Jackson guesses UTF-16 and UTF-32 from zero bytes; its parser for those reports no byte offsets, so the
      // patch would land in the wrong place. Spans are UTF-8.
      if (!(p instanceof UTF8StreamJsonParser)) {
        return invalid(InvalidReason.MALFORMED_JSON, "span must be JSON in UTF-8 but looks like UTF-16 or UTF-32");
      }
      return new Reader(p, bytes).read();
    } catch (IOException | RuntimeException e) {
      return invalid(InvalidReason.MALFORMED_JSON, firstLine(e.getMessage()));
    }
  }

  /** The offset of the first byte the JDK's UTF-8 decoder refuses, or -1. */
  static int firstInvalidUtf8(byte[] bytes) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.charset.CoderResult r =
        java.nio.charset.StandardCharsets.UTF_8.newDecoder()
            .decode(in, java.nio.CharBuffer.allocate(bytes.length), true);
    return r.isError() ? in.position() : -1;
  }

  private static Outcome.Invalid invalid(InvalidReason reason, String detail) {
    return new Outcome.Invalid(reason, detail);
  }

  private static String firstLine(@org.jspecify.annotations.Nullable String message) {
    if (message == null) {
      return "not valid JSON";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** One parse: the parser, the fields read so far and which were seen. */
  private static final class Reader {
    private final JsonParser p;
    private final byte[] bytes;
    private final SpanFields f = new SpanFields();
    private final long[] ids = new long[2];
    private int seen;

    Reader(JsonParser p, byte[] bytes) {
      this.p = p;
      this.bytes = bytes;
    }

    ParseResult read() throws IOException {
      JsonToken t = p.nextToken();
      if (t == null) {
        return invalid(InvalidReason.MALFORMED_JSON, "no JSON value");
      }
      if (t != JsonToken.START_OBJECT) {
        return invalid(InvalidReason.NOT_AN_OBJECT, "span must be a JSON object but was " + describe(t));
      }
      f.objectStart = offset();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        Outcome.Invalid problem = field(name, value);
        if (problem != null) {
          return problem;
        }
      }
      if (p.nextToken() != null) {
        return invalid(InvalidReason.TRAILING_DATA, "data after the span's object at byte " + offset());
      }
      return complete();
    }

    private Outcome.@org.jspecify.annotations.Nullable Invalid field(String name, JsonToken value)
        throws IOException {
      switch (name) {
        case "trace_id":
          if (!firstTime(TRACE_ID, name)) {
            return duplicate(name);
          }
          if (!hex(value, 32)) {
            return invalid(InvalidReason.TRACE_ID, "trace_id must be 32 lowercase hex digits but was " + shown(value));
          }
          f.traceHigh = ids[0];
          f.traceLow = ids[1];
          return null;
        case "span_id":
          if (!firstTime(SPAN_ID, name)) {
            return duplicate(name);
          }
          if (!hex(value, 16)) {
            return invalid(InvalidReason.SPAN_ID, "span_id must be 16 lowercase hex digits but was " + shown(value));
          }
          f.spanId = ids[0];
          return null;
        case "parent_span_id":
          if (!firstTime(PARENT_SPAN_ID, name)) {
            return duplicate(name);
          }
          if (value == JsonToken.VALUE_NULL) {
            return null;
          }
          if (!hex(value, 16)) {
            return invalid(
                InvalidReason.PARENT_SPAN_ID,
                "parent_span_id must be null or 16 lowercase hex digits but was " + shown(value));
          }
          f.hasParent = true;
          f.parentSpanId = ids[0];
          return null;
        case "project_id":
          if (!firstTime(PROJECT_ID, name)) {
            return duplicate(name);
          }
          if (value != JsonToken.VALUE_NUMBER_INT
              || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              || p.getLongValue() <= 0) {
            return invalid(InvalidReason.PROJECT_ID, "project_id must be a positive integer but was " + shown(value));
          }
          f.projectId = p.getLongValue();
          return null;
        case "end_timestamp":
          if (!firstTime(END_TIMESTAMP, name)) {
            return duplicate(name);
          }
          if (!finiteNumber(value)) {
            return invalid(InvalidReason.END_TIMESTAMP, "end_timestamp must be a number but was " + shown(value));
          }
          f.endTimestamp = p.getDoubleValue();
          return null;
        case "received":
          if (!firstTime(RECEIVED, name)) {
            return duplicate(name);
          }
          if (value == JsonToken.VALUE_NULL) {
            return null;
          }
          if (!finiteNumber(value)) {
            return invalid(InvalidReason.RECEIVED, "received must be a number but was " + shown(value));
          }
          f.hasReceived = true;
          f.received = p.getDoubleValue();
          return null;
        case "is_segment":
          if (!firstTime(IS_SEGMENT, name)) {
            return duplicate(name);
          }
          if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
            return invalid(InvalidReason.IS_SEGMENT, "is_segment must be a boolean but was " + shown(value));
          }
          f.isSegment = value == JsonToken.VALUE_TRUE;
          f.isSegmentStart = offset();
          f.isSegmentLength = value == JsonToken.VALUE_FALSE ? 5 : 4;
          return null;
        case "attributes":
          if (!firstTime(ATTRIBUTES, name)) {
            return duplicate(name);
          }
          return attributes(value);
        default:
          p.skipChildren();
          return null;
      }
    }

    private Outcome.@org.jspecify.annotations.Nullable Invalid attributes(JsonToken value) throws IOException {
      f.attributesStart = offset();
      if (value == JsonToken.VALUE_NULL) {
        f.nullAttributes = true;
        return null;
      }
      if (value != JsonToken.START_OBJECT) {
        return invalid(InvalidReason.ATTRIBUTES, "attributes must be an object but was " + shown(value));
      }
      f.emptyAttributes = true;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        f.emptyAttributes = false;
        String name = p.currentName();
        JsonToken entry = p.nextToken();
        if (!SEGMENT_ID_ATTRIBUTE.equals(name)) {
          p.skipChildren();
          continue;
        }
        if (f.hasExplicitSegmentId) {
          return duplicate("attributes." + SEGMENT_ID_ATTRIBUTE);
        }
        Outcome.Invalid problem = segmentIdAttribute(entry);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }

    /** Reads {@code {"type":"string","value":"<16 hex>"}}; other keys in it are allowed and skipped. */
    private Outcome.@org.jspecify.annotations.Nullable Invalid segmentIdAttribute(JsonToken entry)
        throws IOException {
      String rule = "attributes[\"sentry.segment.id\"] must be {\"type\":\"string\",\"value\":\"<16 lowercase hex>\"}";
      if (entry != JsonToken.START_OBJECT) {
        return invalid(InvalidReason.SEGMENT_ID, rule + " but was " + shown(entry));
      }
      boolean hasValue = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if ("value".equals(key)) {
          if (hasValue || !hex(v, 16)) {
            return invalid(InvalidReason.SEGMENT_ID, rule + " but its value was " + shown(v));
          }
          hasValue = true;
          f.explicitSegmentId = ids[0];
        } else if ("type".equals(key)) {
          if (v != JsonToken.VALUE_STRING || !"string".equals(p.getText())) {
            return invalid(InvalidReason.SEGMENT_ID, rule + " but its type was " + shown(v));
          }
        } else {
          p.skipChildren();
        }
      }
      if (!hasValue) {
        return invalid(InvalidReason.SEGMENT_ID, rule + " but it has no value");
      }
      f.hasExplicitSegmentId = true;
      return null;
    }

    private ParseResult complete() {
      if ((seen & TRACE_ID) == 0) {
        return invalid(InvalidReason.TRACE_ID, "trace_id is missing");
      }
      if ((seen & SPAN_ID) == 0) {
        return invalid(InvalidReason.SPAN_ID, "span_id is missing");
      }
      if ((seen & PROJECT_ID) == 0) {
        return invalid(InvalidReason.PROJECT_ID, "project_id is missing");
      }
      if ((seen & END_TIMESTAMP) == 0) {
        return invalid(InvalidReason.END_TIMESTAMP, "end_timestamp is missing");
      }
      return Spans.create(bytes, f);
    }

    private boolean firstTime(int field, String name) {
      boolean first = (seen & field) == 0;
      seen |= field;
      return first;
    }

    private Outcome.Invalid duplicate(String name) {
      return invalid(InvalidReason.DUPLICATE_FIELD, name + " must appear once but appears twice");
    }

    private boolean hex(JsonToken value, int digits) throws IOException {
      if (value != JsonToken.VALUE_STRING || p.getTextLength() != digits || !p.getText().matches("[0-9a-f]+")) {
        return false;
      }
      String text = p.getText();
      for (int word = 0; word < digits / 16; word++) {
        ids[word] = Long.parseUnsignedLong(text.substring(word * 16, word * 16 + 16), 16);
      }
      return true;
    }

    private boolean finiteNumber(JsonToken value) throws IOException {
      return (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT)
          && Double.isFinite(p.getDoubleValue());
    }

    private int offset() {
      return (int) p.currentTokenLocation().getByteOffset();
    }

    /** The current value, shortened, for a message: strings quoted, containers named. */
    private String shown(JsonToken value) throws IOException {
      switch (value) {
        case START_OBJECT:
          return "an object";
        case START_ARRAY:
          return "an array";
        case VALUE_STRING:
          String text = p.getText();
          return "\"" + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "…" : text) + "\"";
        default:
          String raw = p.getText();
          return raw.length() > MAX_SHOWN ? raw.substring(0, MAX_SHOWN) + "…" : raw;
      }
    }

    private static String describe(JsonToken t) {
      switch (t) {
        case START_ARRAY:
          return "an array";
        case VALUE_STRING:
          return "a string";
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          return "a number";
        case VALUE_TRUE:
        case VALUE_FALSE:
          return "a boolean";
        case VALUE_NULL:
          return "null";
        default:
          return t.asString() == null ? t.name() : t.asString();
      }
    }
  }
}
