package io.segbuf.internal;

import io.segbuf.InvalidReason;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads the fields of docs/design.md §1 from a span's bytes in one pass of {@link JsonScanner}, checking and skipping
 * everything else, and remembers where the patchable values are. Strict: one object, nothing after it, ids in
 * lowercase hex, numbers as JSON numbers, no field the buffer reads twice, valid UTF-8. Never throws for bad
 * data.
 */
public final class SpanParser {
  private static final int TRACE_ID = 1;
  private static final int SPAN_ID = 2;
  private static final int PARENT_SPAN_ID = 4;
  private static final int PROJECT_ID = 8;
  private static final int END_TIMESTAMP = 16;
  private static final int RECEIVED = 32;
  private static final int IS_SEGMENT = 64;
  private static final int ATTRIBUTES = 128;

  /** The names read, indexed by the bit of the field: index {@code numberOfTrailingZeros(field)}. */
  private static final String[] NAMES = {
    "trace_id", "span_id", "parent_span_id", "project_id", "end_timestamp", "received", "is_segment", "attributes"
  };

  private static final byte[][] NAME_BYTES = ascii(NAMES);
  private static final byte[] SEGMENT_ID_ATTRIBUTE = ascii("sentry.segment.id");
  private static final byte[] VALUE = ascii("value");
  private static final byte[] TYPE = ascii("type");
  private static final byte[] STRING_TYPE = ascii("string");
  private static final int MAX_SHOWN = 40;
  private static final byte[] NOTHING = new byte[0];

  private SpanParser() {}

  /** One reader per thread, reused: a parse then allocates nothing but its {@link Span} (or its outcome). */
  private static final ThreadLocal<Reader> READERS = ThreadLocal.withInitial(Reader::new);

  public static ParseResult parse(byte[] bytes) {
    Reader reader = READERS.get();
    reader.reset(bytes);
    try {
      return reader.read();
    } catch (JsonScanner.Malformed e) {
      return invalid(InvalidReason.MALFORMED_JSON, e.detail());
    } finally {
      reader.release();
    }
  }

  private static Outcome.Invalid invalid(InvalidReason reason, String detail) {
    return new Outcome.Invalid(reason, detail);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[][] ascii(String[] names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = ascii(names[i]);
    }
    return out;
  }

  /** A thread's parse, reset for each span: the scanner, the fields read so far and which were seen. */
  private static final class Reader extends SpanFields {
    private final JsonScanner s = new JsonScanner(NOTHING);
    private final long[] ids = new long[2];
    private byte[] bytes = NOTHING;
    private int seen;

    void reset(byte[] bytes) {
      clear();
      s.reset(bytes);
      this.bytes = bytes;
      seen = 0;
    }

    /** Drops the span's bytes once the parse is done: an idle thread must not keep them reachable. */
    void release() {
      s.reset(NOTHING);
      bytes = NOTHING;
    }

    ParseResult read() throws JsonScanner.Malformed {
      int c = s.skipWhitespace();
      if (c < 0) {
        return invalid(InvalidReason.MALFORMED_JSON, "no JSON value");
      }
      if (c != '{') {
        return notAnObject(c);
      }
      objectStart = s.pos;
      s.enterObject();
      for (boolean first = true; s.nextField(first); first = false) {
        Outcome.Invalid problem = field();
        if (problem != null) {
          return problem;
        }
      }
      int after = s.skipWhitespace();
      if (after >= 0) {
        return trailing(after);
      }
      return complete();
    }

    private ParseResult notAnObject(int c) throws JsonScanner.Malformed {
      if (c == 0xef && bytes.length - s.pos >= 3 && bytes[s.pos + 1] == (byte) 0xbb && bytes[s.pos + 2] == (byte) 0xbf) {
        // The span's bytes are copied into messages as they are, and a mark inside a JSON array is not white space.
        return invalid(InvalidReason.MALFORMED_JSON, "span must not start with a byte order mark");
      }
      if (c == 0 || (bytes.length > 1 && bytes[1] == 0)) {
        return invalid(InvalidReason.MALFORMED_JSON, "span must be JSON in UTF-8 but looks like UTF-16 or UTF-32");
      }
      int kind = s.scalar();
      return invalid(InvalidReason.NOT_AN_OBJECT, "span must be a JSON object but was " + describe(kind));
    }

    /** Something after the span's object: another value is trailing data, anything else is not JSON. */
    private ParseResult trailing(int c) throws JsonScanner.Malformed {
      int at = s.pos;
      if (c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f'
          || c == 'n') {
        return invalid(InvalidReason.TRAILING_DATA, "data after the span's object at byte " + at);
      }
      throw s.unexpected("the end of the span");
    }

    private Outcome.@Nullable Invalid field() throws JsonScanner.Malformed {
      int field = fieldOfName();
      if (field == 0) {
        s.skipValue();
        return null;
      }
      int start = s.pos;
      // A repeated name is reported once its value's first token is read, before a string's body is checked.
      boolean string = s.skipWhitespace() == '"';
      int value = string ? JsonScanner.STRING : s.scalar();
      if ((seen & field) != 0) {
        return duplicate(NAMES[Integer.numberOfTrailingZeros(field)]);
      }
      seen |= field;
      if (string) {
        s.scalar();
      }
      switch (field) {
        case ATTRIBUTES:
          return attributes(start, value);
        case TRACE_ID:
          if (!hex(value, 32)) {
            return invalid(InvalidReason.TRACE_ID, "trace_id must be 32 lowercase hex digits but was " + shown(value));
          }
          traceHigh = ids[0];
          traceLow = ids[1];
          return null;
        case SPAN_ID:
          if (!hex(value, 16)) {
            return invalid(InvalidReason.SPAN_ID, "span_id must be 16 lowercase hex digits but was " + shown(value));
          }
          spanId = ids[0];
          return null;
        case PARENT_SPAN_ID:
          if (value == JsonScanner.NULL) {
            return null;
          }
          if (!hex(value, 16)) {
            return invalid(
                InvalidReason.PARENT_SPAN_ID,
                "parent_span_id must be null or 16 lowercase hex digits but was " + shown(value));
          }
          hasParent = true;
          parentSpanId = ids[0];
          return null;
        case PROJECT_ID:
          long id = value == JsonScanner.NUMBER_INT ? s.numberAsLong(-1) : -1;
          if (id <= 0) {
            return invalid(InvalidReason.PROJECT_ID, "project_id must be a positive integer but was " + shown(value));
          }
          projectId = id;
          return null;
        case END_TIMESTAMP:
          if (!finiteNumber(value)) {
            return invalid(InvalidReason.END_TIMESTAMP, "end_timestamp must be a number but was " + shown(value));
          }
          endTimestamp = s.numberAsDouble();
          return null;
        case RECEIVED:
          if (value == JsonScanner.NULL) {
            return null;
          }
          if (!finiteNumber(value)) {
            return invalid(InvalidReason.RECEIVED, "received must be a number but was " + shown(value));
          }
          hasReceived = true;
          received = s.numberAsDouble();
          return null;
        default: // IS_SEGMENT
          if (value != JsonScanner.TRUE && value != JsonScanner.FALSE && value != JsonScanner.NULL) {
            return invalid(InvalidReason.IS_SEGMENT, "is_segment must be a boolean but was " + shown(value));
          }
          isSegment = value == JsonScanner.TRUE;
          isSegmentStart = start;
          isSegmentLength = value == JsonScanner.FALSE ? 5 : 4;
          return null;
      }
    }

    /** The bit of the field the last name read stands for, or 0 for a field the buffer does not read. */
    private int fieldOfName() {
      if (s.stringEscaped()) {
        int i = java.util.Arrays.asList(NAMES).indexOf(s.stringValue());
        return i < 0 ? 0 : 1 << i;
      }
      int candidate;
      switch (s.stringLength()) {
        case 7:
          candidate = SPAN_ID;
          break;
        case 8:
          candidate = s.stringFirstByte() == 't' ? TRACE_ID : RECEIVED;
          break;
        case 10:
          int first = s.stringFirstByte();
          candidate = first == 'p' ? PROJECT_ID : first == 'i' ? IS_SEGMENT : ATTRIBUTES;
          break;
        case 13:
          candidate = END_TIMESTAMP;
          break;
        case 14:
          candidate = PARENT_SPAN_ID;
          break;
        default:
          return 0;
      }
      return s.stringIs(NAME_BYTES[Integer.numberOfTrailingZeros(candidate)]) ? candidate : 0;
    }

    private Outcome.@Nullable Invalid attributes(int start, int value) throws JsonScanner.Malformed {
      attributesStart = start;
      if (value == JsonScanner.NULL) {
        nullAttributes = true;
        return null;
      }
      if (value != JsonScanner.OBJECT) {
        return invalid(InvalidReason.ATTRIBUTES, "attributes must be an object but was " + shown(value));
      }
      s.enterObject();
      emptyAttributes = true;
      for (boolean first = true; s.nextField(first); first = false) {
        emptyAttributes = false;
        if (!s.stringIs(SEGMENT_ID_ATTRIBUTE)) {
          s.skipValue();
          continue;
        }
        if (hasExplicitSegmentId) {
          return duplicate("attributes.sentry.segment.id");
        }
        Outcome.Invalid problem = segmentIdAttribute();
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }

    /** Reads {@code {"type":"string","value":"<16 hex>"}}; other keys in it are allowed and skipped. */
    private Outcome.@Nullable Invalid segmentIdAttribute() throws JsonScanner.Malformed {
      String rule = "attributes[\"sentry.segment.id\"] must be {\"type\":\"string\",\"value\":\"<16 lowercase hex>\"}";
      int entry = s.scalar();
      if (entry != JsonScanner.OBJECT) {
        return invalid(InvalidReason.SEGMENT_ID, rule + " but was " + shown(entry));
      }
      s.enterObject();
      boolean hasValue = false;
      for (boolean first = true; s.nextField(first); first = false) {
        if (s.stringIs(VALUE)) {
          int v = s.scalar();
          if (hasValue || !hex(v, 16)) {
            return invalid(InvalidReason.SEGMENT_ID, rule + " but its value was " + shown(v));
          }
          hasValue = true;
          explicitSegmentId = ids[0];
        } else if (s.stringIs(TYPE)) {
          int v = s.scalar();
          if (v != JsonScanner.STRING || !s.stringIs(STRING_TYPE)) {
            return invalid(InvalidReason.SEGMENT_ID, rule + " but its type was " + shown(v));
          }
        } else {
          s.skipValue();
        }
      }
      if (!hasValue) {
        return invalid(InvalidReason.SEGMENT_ID, rule + " but it has no value");
      }
      hasExplicitSegmentId = true;
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
      return Spans.create(bytes, this);
    }

    private Outcome.Invalid duplicate(String name) {
      return invalid(InvalidReason.DUPLICATE_FIELD, name + " must appear once but appears twice");
    }

    private boolean hex(int value, int digits) {
      return value == JsonScanner.STRING && s.stringAsHex(digits, ids);
    }

    private boolean finiteNumber(int value) {
      return (value == JsonScanner.NUMBER_INT || value == JsonScanner.NUMBER_FLOAT)
          && Double.isFinite(s.numberAsDouble());
    }

    /** The value just read, shortened, for a message: strings quoted, containers named. */
    private String shown(int value) {
      switch (value) {
        case JsonScanner.OBJECT:
          return "an object";
        case JsonScanner.ARRAY:
          return "an array";
        case JsonScanner.STRING:
          return "\"" + shorten(s.stringValue()) + "\"";
        case JsonScanner.NUMBER_INT:
        case JsonScanner.NUMBER_FLOAT:
          return shorten(s.numberText());
        case JsonScanner.TRUE:
          return "true";
        case JsonScanner.FALSE:
          return "false";
        default:
          return "null";
      }
    }

    private static String shorten(String text) {
      return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "…" : text;
    }

    private static String describe(int kind) {
      switch (kind) {
        case JsonScanner.ARRAY:
          return "an array";
        case JsonScanner.STRING:
          return "a string";
        case JsonScanner.NUMBER_INT:
        case JsonScanner.NUMBER_FLOAT:
          return "a number";
        case JsonScanner.TRUE:
        case JsonScanner.FALSE:
          return "a boolean";
        default:
          return "null";
      }
    }
  }
}
