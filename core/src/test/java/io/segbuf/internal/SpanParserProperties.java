package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.InvalidReason;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * {@link SpanParser} against its reference model, {@link JacksonSpanParser} (jackson-core's streaming parser and
 * the JDK's UTF-8 decoder): on generated spans, valid and broken, both accept the same inputs, read the same
 * fields and patch to the same bytes, and refuse the rest for the same reason.
 */
class SpanParserProperties {
  private static final int EXAMPLES = 100_000;

  private static final List<String> SPACE = List.of("", "", "", "", " ", "\n", "\t", "\r\n ");
  private static final List<String> STRING_PIECES = List.of("a", "op", "é", "日本", "😀", "\\\"", "\\\\", "\\n",
      "\\u00e9", "\\ud83d\\ude00", "\\uD800", "\\/", "\\b\\f\\r\\t", " ", "{", "}", "[", "]", ":", ",", "null",
      "0123456789abcdef", "long text without anything special in it, long enough for several words");
  private static final List<String> NUMBERS = List.of("0", "-0", "-1", "7", "42", "3.25", "-0.5", "1e5", "2.5E-3",
      "1E+2", "0.1e-400", "1e400", "-1e400", "12345678901234567890", "9223372036854775807", "9223372036854775808",
      "1700000000.123456", "1700000000.5", "9007199254740993", "0.30000000000000004", "123456789012345678901234.5",
      "1e0000001", "4.9e-324", "2.2250738585072014E-308", "1.7976931348623157e308");
  private static final List<String> NAMES = List.of("trace_id", "span_id", "parent_span_id", "project_id",
      "end_timestamp", "received", "is_segment", "attributes", "name", "data", "trace\\u005fid", "span\\u005Fid",
      "Span_id", "span_id ", "", "é", "attributes2", "received_");
  private static final List<String> ATTRIBUTE_NAMES = List.of("sentry.segment.id", "sentry.op", "sentry.segment.id.x",
      "sentry\\u002esegment.id", "x", "é", "");
  /** Bytes a mutation inserts: structure, escapes, digits, and bytes that break UTF-8 or JSON. */
  private static final byte[] NOISE = bytes('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '1', '-', '+', 'e',
      '.', 'u', 't', 'n', 0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf5, 0xff);

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static int between(RandomnessSource in, int min, int max) {
    return integers().between(min, max).generate(in);
  }

  private static <T> T pick(RandomnessSource in, List<T> from) {
    return from.get(between(in, 0, from.size() - 1));
  }

  private static String string(RandomnessSource in) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = between(in, 0, 4); i > 0; i--) {
      b.append(pick(in, STRING_PIECES));
    }
    return b.append('"').toString();
  }

  private static String hex(RandomnessSource in, int digits) {
    String h = Hex.toHex(longs().all().generate(in)) + Hex.toHex(longs().all().generate(in));
    return "\"" + h.substring(0, digits) + "\"";
  }

  /** Any JSON value; containers only while {@code depth} lasts. */
  private static String value(RandomnessSource in, int depth) {
    switch (between(in, 0, depth > 0 ? 6 : 3)) {
      case 0:
        return string(in);
      case 1:
        return pick(in, NUMBERS);
      case 2:
        return pick(in, List.of("true", "false", "null"));
      case 3:
        return pick(in, List.of(hex(in, 16), hex(in, 32), "\"\\u0030" + hex(in, 16).substring(2)));
      case 4:
        return object(in, depth, NAMES);
      case 5:
        return object(in, depth, ATTRIBUTE_NAMES);
      default: {
        StringBuilder b = new StringBuilder("[").append(pick(in, SPACE));
        int n = between(in, 0, 3);
        for (int i = 0; i < n; i++) {
          b.append(i > 0 ? "," + pick(in, SPACE) : "").append(value(in, depth - 1)).append(pick(in, SPACE));
        }
        return b.append(']').toString();
      }
    }
  }

  private static String object(RandomnessSource in, int depth, List<String> names) {
    StringBuilder b = new StringBuilder("{").append(pick(in, SPACE));
    int n = between(in, 0, 3);
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "," + pick(in, SPACE) : "").append('"').append(pick(in, names)).append('"')
          .append(pick(in, SPACE)).append(':').append(pick(in, SPACE)).append(value(in, depth - 1));
    }
    return b.append(pick(in, SPACE)).append('}').toString();
  }

  /** A span: mostly the fields it needs with good values, sometimes odd ones, extra fields in between. */
  private static String span(RandomnessSource in) {
    StringBuilder b = new StringBuilder(pick(in, SPACE)).append('{').append(pick(in, SPACE));
    String[] fields = {
      "\"trace_id\":" + (between(in, 0, 9) > 0 ? hex(in, 32) : value(in, 1)),
      "\"span_id\":" + (between(in, 0, 9) > 0 ? hex(in, 16) : value(in, 1)),
      "\"parent_span_id\":" + (between(in, 0, 3) > 0 ? hex(in, 16) : value(in, 1)),
      "\"project_id\":" + (between(in, 0, 3) > 0 ? String.valueOf(between(in, 1, 1000)) : pick(in, NUMBERS)),
      "\"end_timestamp\":" + (between(in, 0, 3) > 0 ? pick(in, NUMBERS) : value(in, 1)),
      "\"received\":" + value(in, 1),
      "\"is_segment\":" + (between(in, 0, 3) > 0 ? pick(in, List.of("true", "false", "null")) : value(in, 1)),
      "\"attributes\":" + (between(in, 0, 2) > 0 ? attributes(in) : value(in, 2)),
      "\"" + pick(in, NAMES) + "\":" + value(in, 3),
      "\"" + pick(in, NAMES) + "\":" + value(in, 2),
    };
    int count = 0;
    for (String field : fields) {
      if (between(in, 0, 5) == 0) {
        continue;
      }
      b.append(count++ > 0 ? "," + pick(in, SPACE) : "").append(field).append(pick(in, SPACE));
    }
    return b.append('}').append(pick(in, SPACE)).toString();
  }

  private static String attributes(RandomnessSource in) {
    String entry = "{\"type\":" + pick(in, List.of("\"string\"", "\"str\\u0069ng\"", "\"int\"", "1"))
        + ",\"value\":" + (between(in, 0, 3) > 0 ? hex(in, 16) : value(in, 1)) + "}";
    return pick(in, List.of("{}", "null", "{\"sentry.segment.id\":" + entry + "}",
        "{\"sentry.op\":" + value(in, 1) + ",\"sentry.segment.id\":" + entry + "}", object(in, 2, ATTRIBUTE_NAMES)));
  }

  /** The span's bytes, sometimes changed in up to three places: a byte inserted, removed or the tail cut. */
  private static byte[] mutated(RandomnessSource in, byte[] span) {
    byte[] b = span;
    for (int edits = between(in, -3, 3); edits > 0 && b.length > 0; edits--) {
      int at = between(in, 0, b.length - 1);
      switch (between(in, 0, 3)) {
        case 0, 1 -> {
          byte[] longer = new byte[b.length + 1];
          System.arraycopy(b, 0, longer, 0, at);
          longer[at] = NOISE[between(in, 0, NOISE.length - 1)];
          System.arraycopy(b, at, longer, at + 1, b.length - at);
          b = longer;
        }
        case 2 -> {
          byte[] shorter = new byte[b.length - 1];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
          b = shorter;
        }
        default -> b = Arrays.copyOf(b, at);
      }
    }
    return b;
  }

  private static final Gen<byte[]> SPANS = in -> mutated(in, span(in).getBytes(StandardCharsets.UTF_8));

  private static String show(byte[] b) {
    return new String(b, StandardCharsets.UTF_8) + "\n(" + HexFormat.of().formatHex(b) + ")";
  }

  @Test
  void agreesWithTheReferenceModel() {
    qt().withExamples(EXAMPLES).forAll(SPANS).checkAssert(b -> {
      ParseResult expected = JacksonSpanParser.parse(b);
      ParseResult actual = SpanParser.parse(b);
      if (expected instanceof Span e) {
        assertThat(actual).as(show(b)).isInstanceOf(Span.class);
        assertSameSpan((Span) actual, e, b);
      } else {
        Outcome.Invalid e = (Outcome.Invalid) expected;
        assertThat(actual).as("%s\nreference: %s", show(b), e).isInstanceOf(Outcome.Invalid.class);
        Outcome.Invalid a = (Outcome.Invalid) actual;
        assertThat(a.reason()).as("%s\nreference: %s\nactual: %s", show(b), e, a).isEqualTo(sameReason(b, e, a));
      }
    });
  }

  /**
   * The reason the reference gives, but for two differences by design. The reference checks UTF-8 in a pass
   * before parsing, so a bad byte after another problem wins there, while the parser reports the problem it
   * meets first. And for input that is not an object, the reference reads only the first token (jackson leaves
   * a string unread), while the parser checks the whole value and calls it malformed when it is not JSON. After
   * the span's object, anything that starts a value is trailing data to the parser, while the reference calls
   * some of it malformed (a number followed by a comma); the object before it must then be well formed.
   */
  private static InvalidReason sameReason(byte[] b, Outcome.Invalid reference, Outcome.Invalid actual) {
    if (reference.detail().startsWith("invalid UTF-8") && actual.reason() != InvalidReason.MALFORMED_JSON) {
      return actual.reason();
    }
    boolean notObjectOrNotJson = reference.reason() == InvalidReason.NOT_AN_OBJECT
        || reference.reason() == InvalidReason.MALFORMED_JSON;
    if (!startsWithBrace(b) && notObjectOrNotJson && (actual.reason() == InvalidReason.NOT_AN_OBJECT
        || actual.reason() == InvalidReason.MALFORMED_JSON)) {
      return actual.reason();
    }
    if (actual.reason() == InvalidReason.TRAILING_DATA && reference.reason() == InvalidReason.MALFORMED_JSON) {
      int at = Integer.parseInt(actual.detail().replaceAll(".* at byte ", ""));
      ParseResult object = JacksonSpanParser.parse(Arrays.copyOf(b, at));
      if (!(object instanceof Outcome.Invalid o) || o.reason() != InvalidReason.MALFORMED_JSON) {
        return actual.reason();
      }
    }
    return reference.reason();
  }

  private static boolean startsWithBrace(byte[] b) {
    String text = new String(b, StandardCharsets.ISO_8859_1);
    return text.strip().startsWith("{");
  }

  private static void assertSameSpan(Span a, Span e, byte[] b) {
    String what = show(b);
    assertThat(a.projectId()).as(what).isEqualTo(e.projectId());
    assertThat(a.traceIdHigh()).as(what).isEqualTo(e.traceIdHigh());
    assertThat(a.traceIdLow()).as(what).isEqualTo(e.traceIdLow());
    assertThat(a.spanId()).as(what).isEqualTo(e.spanId());
    assertThat(a.hasParent()).as(what).isEqualTo(e.hasParent());
    assertThat(a.parentSpanId()).as(what).isEqualTo(e.parentSpanId());
    assertThat(a.isSegmentFlag()).as(what).isEqualTo(e.isSegmentFlag());
    assertThat(a.hasExplicitSegmentId()).as(what).isEqualTo(e.hasExplicitSegmentId());
    assertThat(a.explicitSegmentId()).as(what).isEqualTo(e.explicitSegmentId());
    assertThat(Double.doubleToRawLongBits(a.endTimestamp())).as(what)
        .isEqualTo(Double.doubleToRawLongBits(e.endTimestamp()));
    assertThat(a.hasReceived()).as(what).isEqualTo(e.hasReceived());
    assertThat(Double.doubleToRawLongBits(a.received())).as(what).isEqualTo(Double.doubleToRawLongBits(e.received()));
    for (long segmentId : new long[] {a.spanId(), a.spanId() + 1}) {
      assertThat(patched(a, segmentId)).as(what).isEqualTo(patched(e, segmentId));
    }
  }

  private static byte[] patched(Span span, long segmentId) {
    byte[] out = new byte[Spans.patchedLength(span, segmentId)];
    assertThat(Spans.writePatched(span, segmentId, out, 0)).isEqualTo(out.length);
    return out;
  }

  @Test
  void nestingLimitMatchesTheReference() {
    String head = "{\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"00000000000000a1\","
        + "\"project_id\":7,\"end_timestamp\":1.5,\"data\":";
    for (int depth = JsonScanner.MAX_DEPTH - 2; depth <= JsonScanner.MAX_DEPTH + 1; depth++) {
      for (String open : List.of("[", "{\"a\":")) {
        String close = open.equals("[") ? "]" : "}";
        byte[] b = (head + open.repeat(depth - 1) + "1" + close.repeat(depth - 1) + "}")
            .getBytes(StandardCharsets.UTF_8);
        assertThat(SpanParser.parse(b).getClass()).as("depth %d, %s", depth, open)
            .isEqualTo(JacksonSpanParser.parse(b).getClass());
        assertThat(SpanParser.parse(b) instanceof Span).as("depth %d", depth).isEqualTo(depth <= JsonScanner.MAX_DEPTH);
      }
    }
  }
}
