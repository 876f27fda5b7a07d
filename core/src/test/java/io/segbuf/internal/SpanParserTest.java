package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.InvalidReason;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import io.segbuf.TraceId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpanParserTest {
  private static final String TRACE = "0123456789abcdef0123456789abcdef";
  private static final String SPAN = "00000000000000a1";
  private static final String PARENT = "00000000000000b2";
  /** Marks a field to leave out in {@link #span}. */
  private static final String ABSENT = "<absent>";

  /** A valid span with the four required fields, each replaced or removed as {@code nameAndRawValue} says. */
  private static String span(String... nameAndRawValue) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("trace_id", "\"" + TRACE + "\"");
    fields.put("span_id", "\"" + SPAN + "\"");
    fields.put("project_id", "7");
    fields.put("end_timestamp", "1700000000.5");
    for (int i = 0; i < nameAndRawValue.length; i += 2) {
      if (nameAndRawValue[i + 1].equals(ABSENT)) {
        fields.remove(nameAndRawValue[i]);
      } else {
        fields.put(nameAndRawValue[i], nameAndRawValue[i + 1]);
      }
    }
    StringBuilder b = new StringBuilder("{");
    fields.forEach((name, raw) -> b.append(b.length() > 1 ? "," : "").append('"').append(name).append("\":").append(raw));
    return b.append('}').toString();
  }

  /** Adds {@code rawField} as the span's last field. */
  private static String withField(String json, String rawField) {
    return json.substring(0, json.length() - 1) + "," + rawField + "}";
  }

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static Span valid(String json) {
    return valid(utf8(json));
  }

  private static Span valid(byte[] bytes) {
    ParseResult r = Span.parse(bytes);
    assertThat(r).as("parse result").isInstanceOf(Span.class);
    return (Span) r;
  }

  private static Outcome.Invalid invalid(byte[] bytes) {
    ParseResult r = Span.parse(bytes);
    assertThat(r).as("parse result").isInstanceOf(Outcome.Invalid.class);
    return (Outcome.Invalid) r;
  }

  /** Asserts the reason and that the detail contains every one of {@code detailParts}. */
  private static void assertInvalid(String json, InvalidReason reason, String... detailParts) {
    assertInvalid(utf8(json), reason, detailParts);
  }

  private static void assertInvalid(byte[] bytes, InvalidReason reason, String... detailParts) {
    Outcome.Invalid invalid = invalid(bytes);
    assertThat(invalid.reason()).as(invalid.detail()).isEqualTo(reason);
    assertThat(invalid.detail()).isNotBlank();
    if (detailParts.length > 0) {
      assertThat(invalid.detail()).contains(detailParts);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---- valid spans

  @Test
  void readsEveryFieldTheBufferNeeds() {
    Span s = valid(span(
        "trace_id", "\"fedcba98765432100123456789abcdef\"",
        "parent_span_id", "\"" + PARENT + "\"",
        "project_id", "42",
        "end_timestamp", "1700000001.25",
        "received", "1700000002.75",
        "is_segment", "false",
        "attributes", "{\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"00000000000000c3\"}}"));

    assertThat(s.traceId()).isEqualTo(TraceId.parse("fedcba98765432100123456789abcdef"));
    assertThat(s.traceIdHigh()).isEqualTo(0xfedcba9876543210L);
    assertThat(s.traceIdLow()).isEqualTo(0x0123456789abcdefL);
    assertThat(s.spanId()).isEqualTo(0xa1L);
    assertThat(s.hasParent()).isTrue();
    assertThat(s.parentSpanId()).isEqualTo(0xb2L);
    assertThat(s.projectId()).isEqualTo(42L);
    assertThat(s.endTimestamp()).isEqualTo(1700000001.25);
    assertThat(s.hasReceived()).isTrue();
    assertThat(s.received()).isEqualTo(1700000002.75);
    assertThat(s.eventTime()).isEqualTo(1700000002.75);
    assertThat(s.isSegmentFlag()).isFalse();
    assertThat(s.isRoot()).isFalse();
    assertThat(s.hasExplicitSegmentId()).isTrue();
    assertThat(s.explicitSegmentId()).isEqualTo(0xc3L);
  }

  @Test
  void spanKeepsTheVeryArrayPassedIn() {
    byte[] bytes = utf8(span());
    Span s = valid(bytes);
    assertThat(s.bytes()).isSameAs(bytes);
    assertThat(s.size()).isEqualTo(bytes.length);
  }

  @Test
  void minimalSpanIsARootWithoutOptionalFields() {
    Span s = valid(span());
    assertThat(s.hasParent()).isFalse();
    assertThat(s.isRoot()).isTrue();
    assertThat(s.isSegmentFlag()).isFalse();
    assertThat(s.hasReceived()).isFalse();
    assertThat(s.eventTime()).isEqualTo(1700000000.5);
    assertThat(s.hasExplicitSegmentId()).isFalse();
  }

  @Test
  void nullParentMeansRoot() {
    Span s = valid(span("parent_span_id", "null"));
    assertThat(s.hasParent()).isFalse();
    assertThat(s.isRoot()).isTrue();
  }

  @Test
  void spanWithParentIsNotARoot() {
    Span s = valid(span("parent_span_id", "\"" + PARENT + "\""));
    assertThat(s.hasParent()).isTrue();
    assertThat(s.isRoot()).isFalse();
  }

  @Test
  void spanThatIsItsOwnParentIsARoot() {
    assertThat(valid(span("parent_span_id", "\"" + SPAN + "\"")).isRoot()).isTrue();
  }

  @Test
  void isSegmentTrueMakesARootEvenWithAParent() {
    Span s = valid(span("parent_span_id", "\"" + PARENT + "\"", "is_segment", "true"));
    assertThat(s.isSegmentFlag()).isTrue();
    assertThat(s.isRoot()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "null"})
  void isSegmentFalseOrNullLeavesTheTreeToDecide(String raw) {
    Span s = valid(span("parent_span_id", "\"" + PARENT + "\"", "is_segment", raw));
    assertThat(s.isSegmentFlag()).isFalse();
    assertThat(s.isRoot()).isFalse();
  }

  @Test
  void allZeroTraceIdIsValid() {
    Span s = valid(span("trace_id", "\"" + "0".repeat(32) + "\""));
    assertThat(s.traceId()).isEqualTo(new TraceId(0, 0));
  }

  @Test
  void allOnesIdsAreValid() {
    Span s = valid(span("trace_id", "\"" + "f".repeat(32) + "\"", "span_id", "\"" + "f".repeat(16) + "\""));
    assertThat(s.traceIdHigh()).isEqualTo(-1L);
    assertThat(s.traceIdLow()).isEqualTo(-1L);
    assertThat(s.spanId()).isEqualTo(-1L);
  }

  @Test
  void largestLongProjectIdIsValid() {
    assertThat(valid(span("project_id", "9223372036854775807")).projectId()).isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1700000000", "0", "-5.5", "1.7e9"})
  void endTimestampMayBeAnyFiniteNumber(String raw) {
    assertThat(valid(span("end_timestamp", raw)).endTimestamp()).isEqualTo(Double.parseDouble(raw));
  }

  @Test
  void receivedIsTheEventTime() {
    Span s = valid(span("received", "1700000009"));
    assertThat(s.hasReceived()).isTrue();
    assertThat(s.received()).isEqualTo(1700000009.0);
    assertThat(s.eventTime()).isEqualTo(1700000009.0);
  }

  @Test
  void nullReceivedMeansAbsent() {
    Span s = valid(span("received", "null"));
    assertThat(s.hasReceived()).isFalse();
    assertThat(s.eventTime()).isEqualTo(1700000000.5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "{}", "{\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}}",
      "{\"a\":{\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"00000000000000c3\"}}}"})
  void attributesWithoutSegmentIdNameNoSegment(String raw) {
    assertThat(valid(span("attributes", raw)).hasExplicitSegmentId()).isFalse();
  }

  @Test
  void segmentIdOutsideAttributesIsPayload() {
    Span s = valid(span("sentry.segment.id", "{\"type\":\"string\",\"value\":\"00000000000000c3\"}",
        "data", "{\"attributes\":{\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"00000000000000c3\"}}}"));
    assertThat(s.hasExplicitSegmentId()).isFalse();
  }

  @Test
  void explicitSegmentIdMayCarryOtherKeysInAnyOrder() {
    Span s = valid(span("attributes",
        "{\"x\":[1,{\"y\":null}],\"sentry.segment.id\":{\"extra\":{\"value\":\"nope\"},\"value\":\"00000000000000c3\","
            + "\"type\":\"string\"},\"z\":\"w\"}"));
    assertThat(s.hasExplicitSegmentId()).isTrue();
    assertThat(s.explicitSegmentId()).isEqualTo(0xc3L);
  }

  @Test
  void fieldsNestedInPayloadAreNotRead() {
    Span s = valid(span("data", "{\"trace_id\":\"NOT HEX\",\"span_id\":5,\"project_id\":-1,\"is_segment\":\"x\"}",
        "list", "[{\"parent_span_id\":\"zz\"},{\"end_timestamp\":\"no\"}]"));
    assertThat(s.spanId()).isEqualTo(0xa1L);
    assertThat(s.projectId()).isEqualTo(7L);
    assertThat(s.hasParent()).isFalse();
  }

  @Test
  void fieldNamesAreReadAfterUnescaping() {
    Span s = valid(span("span_id", ABSENT, "span\\u005fid", "\"" + SPAN + "\""));
    assertThat(s.spanId()).isEqualTo(0xa1L);
  }

  @Test
  void whiteSpaceAroundTheObjectIsAllowed() {
    Span s = valid(" \n\t\r" + span().replace(",", " ,\n").replace(":", "\t: ") + "\r\n  ");
    assertThat(s.spanId()).isEqualTo(0xa1L);
  }

  @Test
  void validMultiByteUtf8IsAccepted() {
    Span s = valid(span("name", "\"café 日本 😀 \\u00e9\\ud83d\\ude00\"", "日本", "{\"é\":\"😀\"}"));
    assertThat(s.spanId()).isEqualTo(0xa1L);
  }

  @Test
  void hugeStringPayloadIsAccepted() {
    String payload = "y".repeat(20 * 1024 * 1024);
    byte[] bytes = utf8(span("data", "\"" + payload + "\"", "list", "[\"" + payload + "\"]"));
    Span s = valid(bytes);
    assertThat(s.size()).isGreaterThan(40 * 1024 * 1024);
    assertThat(s.spanId()).isEqualTo(0xa1L);
  }

  // ---- MALFORMED_JSON

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{nope}", "{'span_id':'00000000000000a1'}", "/* c */ {}", "{\"a\":1,}",
      "{\"a\" 1}", "{\"a\":01}", "}"})
  void notJsonIsMalformed(String json) {
    assertInvalid(json, InvalidReason.MALFORMED_JSON);
  }

  /** A literal run on into a non-ASCII letter is one unknown word, as jackson-core reads it ("nulléa"). */
  @ParameterizedTest
  @ValueSource(strings = {"nulléa", "trueé", "falseß"})
  void literalRunOnIntoANonAsciiLetterIsMalformed(String value) {
    assertInvalid(span("end_timestamp", value), InvalidReason.MALFORMED_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t\r "})
  void emptyInputIsMalformed(String json) {
    assertInvalid(json, InvalidReason.MALFORMED_JSON, "no JSON value");
  }

  @Test
  void everyTruncationOfASpanIsInvalid() {
    String json = span("attributes", "{\"a\":[1,2,{\"b\":\"c\"}]}", "is_segment", "true");
    for (int end = 0; end < json.length(); end++) {
      ParseResult r = Span.parse(utf8(json.substring(0, end)));
      assertThat(r).as("prefix of %d chars", end).isInstanceOf(Outcome.Invalid.class);
    }
  }

  @Test
  void truncatedObjectIsMalformed() {
    String json = span();
    assertInvalid(json.substring(0, json.length() - 1), InvalidReason.MALFORMED_JSON);
    assertInvalid("{", InvalidReason.MALFORMED_JSON);
    assertInvalid(span("name", "\"unterminated}"), InvalidReason.MALFORMED_JSON);
  }

  @Test
  void nanEndTimestampIsNotAccepted() {
    assertInvalid(span("end_timestamp", "NaN"), InvalidReason.MALFORMED_JSON);
    assertInvalid(span("end_timestamp", "Infinity"), InvalidReason.MALFORMED_JSON);
    assertInvalid(span("end_timestamp", "-Infinity"), InvalidReason.MALFORMED_JSON);
  }

  @Test
  void unescapedControlCharacterInAStringIsMalformed() {
    assertInvalid(span("name", "\"a\u0001b\""), InvalidReason.MALFORMED_JSON);
  }

  @Test
  void deeplyNestedPayloadIsMalformedWithoutOverflowingTheStack() {
    int depth = 100_000;
    assertInvalid(span("data", "[".repeat(depth) + "]".repeat(depth)), InvalidReason.MALFORMED_JSON, "nesting");
    assertInvalid(span("data", "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)),
        InvalidReason.MALFORMED_JSON, "nesting");
    assertInvalid(span("attributes", "{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}"),
        InvalidReason.MALFORMED_JSON, "nesting");
    assertInvalid(span("attributes",
            "{\"sentry.segment.id\":{\"value\":\"00000000000000c3\",\"x\":" + "[".repeat(depth) + "]".repeat(depth)
                + "}}"),
        InvalidReason.MALFORMED_JSON, "nesting");
  }

  @Test
  void moderatelyNestedPayloadIsAccepted() {
    assertThat(valid(span("data", "[".repeat(200) + "]".repeat(200))).spanId()).isEqualTo(0xa1L);
  }

  @Test
  void loneContinuationByteIsMalformed() {
    assertInvalidUtf8(new byte[] {(byte) 0x80});
  }

  @Test
  void overlongEncodingIsMalformed() {
    assertInvalidUtf8(new byte[] {(byte) 0xc0, (byte) 0xaf}); // '/' in two bytes
    assertInvalidUtf8(new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf});
    assertInvalidUtf8(new byte[] {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf});
  }

  @Test
  void encodedSurrogateIsMalformed() {
    assertInvalidUtf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80});
    assertInvalidUtf8(new byte[] {(byte) 0xed, (byte) 0xbf, (byte) 0xbf});
  }

  @Test
  void leadByteAboveF4IsMalformed() {
    assertInvalidUtf8(new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80});
    assertInvalidUtf8(new byte[] {(byte) 0xff});
    assertInvalidUtf8(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}); // U+110000
  }

  @Test
  void truncatedSequenceIsMalformed() {
    assertInvalidUtf8(new byte[] {(byte) 0xe6, (byte) 0x97}); // 日 without its last byte, then '"'
  }

  @Test
  void truncatedSequenceAtTheEndIsMalformed() {
    byte[] json = utf8(span());
    byte[] bytes = concat(json, new byte[] {(byte) 0xe6, (byte) 0x97});
    assertInvalid(bytes, InvalidReason.MALFORMED_JSON, "invalid UTF-8 at byte " + json.length);
  }

  /** Puts {@code bad} inside a string value, where only the encoding is wrong, and checks the reported offset. */
  private static void assertInvalidUtf8(byte[] bad) {
    byte[] head = utf8(span().replace("}", ",\"name\":\"ok é "));
    byte[] bytes = concat(head, bad, utf8(" tail\"}"));
    assertInvalid(bytes, InvalidReason.MALFORMED_JSON, "invalid UTF-8 at byte " + head.length);
  }

  @Test
  void byteOrderMarkIsMalformed() {
    byte[] bytes = concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8(span()));
    assertInvalid(bytes, InvalidReason.MALFORMED_JSON, "byte order mark");
  }

  @Test
  void utf16AndUtf32AreMalformed() {
    String json = span();
    assertInvalid(json.getBytes(StandardCharsets.UTF_16BE), InvalidReason.MALFORMED_JSON, "UTF-8");
    assertInvalid(json.getBytes(StandardCharsets.UTF_16LE), InvalidReason.MALFORMED_JSON);
    assertInvalid(json.getBytes(java.nio.charset.Charset.forName("UTF-32BE")), InvalidReason.MALFORMED_JSON);
    assertInvalid(json.getBytes(java.nio.charset.Charset.forName("UTF-32LE")), InvalidReason.MALFORMED_JSON);
  }

  @Test
  void nulByteIsMalformed() {
    assertInvalid("\u0000" + span(), InvalidReason.MALFORMED_JSON);
    assertInvalid(span() + "\u0000", InvalidReason.MALFORMED_JSON);
  }

  // ---- NOT_AN_OBJECT

  @Test
  void arrayInsteadOfObjectIsNotAnObject() {
    assertInvalid("[" + span() + "]", InvalidReason.NOT_AN_OBJECT, "span must be a JSON object", "an array");
  }

  @Test
  void stringInsteadOfObjectIsNotAnObject() {
    assertInvalid("\"" + SPAN + "\"", InvalidReason.NOT_AN_OBJECT, "a string");
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "-1.5"})
  void numberInsteadOfObjectIsNotAnObject(String json) {
    assertInvalid(json, InvalidReason.NOT_AN_OBJECT, "a number");
  }

  @Test
  void booleanOrNullInsteadOfObjectIsNotAnObject() {
    assertInvalid("true", InvalidReason.NOT_AN_OBJECT, "a boolean");
    assertInvalid("null", InvalidReason.NOT_AN_OBJECT, "null");
  }

  // ---- TRAILING_DATA

  @Test
  void trailingSecondObjectIsTrailingData() {
    String json = span();
    assertInvalid(json + json, InvalidReason.TRAILING_DATA, "at byte " + json.length());
    assertInvalid(json + "\n" + json, InvalidReason.TRAILING_DATA, "at byte " + (json.length() + 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "1", "\"s\"", "null", "{}"})
  void trailingValueIsTrailingData(String trailing) {
    assertInvalid(span() + " " + trailing, InvalidReason.TRAILING_DATA, "data after the span's object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x", "}", "]", ","})
  void trailingGarbageIsInvalid(String trailing) {
    assertThat(Span.parse(utf8(span() + trailing))).isInstanceOf(Outcome.Invalid.class);
  }

  // ---- DUPLICATE_FIELD

  @ParameterizedTest
  @ValueSource(strings = {"trace_id", "span_id", "parent_span_id", "project_id", "end_timestamp", "received",
      "is_segment", "attributes"})
  void fieldTheBufferReadsMayNotAppearTwice(String name) {
    Map<String, String> values = Map.of(
        "trace_id", "\"" + TRACE + "\"", "span_id", "\"" + SPAN + "\"", "parent_span_id", "null",
        "project_id", "7", "end_timestamp", "1.5", "received", "2.5", "is_segment", "false", "attributes", "{}");
    String value = java.util.Objects.requireNonNull(values.get(name));
    String json = withField(span(name, value), "\"" + name + "\":" + value);
    assertInvalid(json, InvalidReason.DUPLICATE_FIELD, name + " must appear once");
  }

  @Test
  void duplicateTraceIdIsInvalidEvenWithTheSameValue() {
    String json = span().replace("{", "{\"trace_id\":\"" + TRACE + "\",");
    assertInvalid(json, InvalidReason.DUPLICATE_FIELD, "trace_id");
  }

  @Test
  void duplicatedSegmentIdAttributeIsInvalid() {
    String entry = "\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"00000000000000c3\"}";
    assertInvalid(span("attributes", "{" + entry + "," + entry + "}"),
        InvalidReason.DUPLICATE_FIELD, "attributes.sentry.segment.id");
  }

  @Test
  void fieldsTheBufferDoesNotReadMayRepeat() {
    assertThat(valid(withField(span("name", "1"), "\"name\":2")).spanId()).isEqualTo(0xa1L);
  }

  // ---- TRACE_ID

  @Test
  void missingTraceIdIsInvalid() {
    assertInvalid(span("trace_id", ABSENT), InvalidReason.TRACE_ID, "trace_id is missing");
  }

  @Test
  void uppercaseTraceIdIsInvalid() {
    String upper = TRACE.toUpperCase(java.util.Locale.ROOT);
    assertInvalid(span("trace_id", "\"" + upper + "\""), InvalidReason.TRACE_ID,
        "trace_id must be 32 lowercase hex digits", upper);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"0123456789abcdef0123456789abcde\"", "\"0123456789abcdef0123456789abcdef0\"",
      "\"0123456789abcdef0123456789abcdeg\"", "\"0123456789abcdef 123456789abcdef\"",
      "\"0123456789abcdef0123456789abcdé\"", "\"\"", "\"0x23456789abcdef0123456789abcdef\""})
  void traceIdOfWrongLengthOrNotHexIsInvalid(String raw) {
    assertInvalid(span("trace_id", raw), InvalidReason.TRACE_ID, "trace_id", raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"123456789", "null", "true", "[]", "{}"})
  void traceIdThatIsNotAStringIsInvalid(String raw) {
    assertInvalid(span("trace_id", raw), InvalidReason.TRACE_ID, "trace_id must be 32 lowercase hex digits");
  }

  @Test
  void longValueIsShortenedInTheMessage() {
    String value = "z".repeat(10_000);
    Outcome.Invalid invalid = invalid(utf8(span("trace_id", "\"" + value + "\"")));
    assertThat(invalid.reason()).isEqualTo(InvalidReason.TRACE_ID);
    assertThat(invalid.detail()).contains("\"" + "z".repeat(40) + "…\"").hasSizeLessThan(200);
  }

  // ---- SPAN_ID

  @Test
  void missingSpanIdIsInvalid() {
    assertInvalid(span("span_id", ABSENT), InvalidReason.SPAN_ID, "span_id is missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"00000000000000A1\"", "\"0000000000000a1\"", "\"000000000000000a1\"",
      "\"000000000000000g\"", "\"\""})
  void spanIdOfWrongLengthCaseOrDigitsIsInvalid(String raw) {
    assertInvalid(span("span_id", raw), InvalidReason.SPAN_ID, "span_id must be 16 lowercase hex digits", raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"161", "1.5", "null", "false", "[\"00000000000000a1\"]"})
  void spanIdThatIsNotAStringIsInvalid(String raw) {
    assertInvalid(span("span_id", raw), InvalidReason.SPAN_ID, "span_id must be 16 lowercase hex digits");
  }

  @Test
  void numericSpanIdIsShownInTheMessage() {
    assertInvalid(span("span_id", "161"), InvalidReason.SPAN_ID, "but was 161");
  }

  // ---- PARENT_SPAN_ID

  @ParameterizedTest
  @ValueSource(strings = {"\"00000000000000B2\"", "\"00000000000000b\"", "\"00000000000000b2f\"",
      "\"xx000000000000b2\"", "\"\""})
  void parentSpanIdOfWrongLengthCaseOrDigitsIsInvalid(String raw) {
    assertInvalid(span("parent_span_id", raw), InvalidReason.PARENT_SPAN_ID,
        "parent_span_id must be null or 16 lowercase hex digits", raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"178", "false", "{}"})
  void parentSpanIdThatIsNotAStringIsInvalid(String raw) {
    assertInvalid(span("parent_span_id", raw), InvalidReason.PARENT_SPAN_ID, "parent_span_id");
  }

  // ---- PROJECT_ID

  @Test
  void missingProjectIdIsInvalid() {
    assertInvalid(span("project_id", ABSENT), InvalidReason.PROJECT_ID, "project_id is missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "-1", "-9223372036854775808", "1.5", "7.0", "7e0", "9223372036854775808",
      "123456789012345678901234567890", "true", "null"})
  void projectIdThatIsNotAPositiveLongIsInvalid(String raw) {
    assertInvalid(span("project_id", raw), InvalidReason.PROJECT_ID,
        "project_id must be a positive integer but was " + raw);
  }

  @Test
  void projectIdAsStringIsInvalid() {
    assertInvalid(span("project_id", "\"7\""), InvalidReason.PROJECT_ID, "project_id", "\"7\"");
  }

  @Test
  void projectIdAsContainerIsInvalid() {
    assertInvalid(span("project_id", "[7]"), InvalidReason.PROJECT_ID, "project_id", "an array");
    assertInvalid(span("project_id", "{\"id\":7}"), InvalidReason.PROJECT_ID, "project_id", "an object");
  }

  // ---- END_TIMESTAMP

  @Test
  void missingEndTimestampIsInvalid() {
    assertInvalid(span("end_timestamp", ABSENT), InvalidReason.END_TIMESTAMP, "end_timestamp is missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1.0\"", "true", "null", "1e400", "-1e400"})
  void endTimestampThatIsNotAFiniteNumberIsInvalid(String raw) {
    assertInvalid(span("end_timestamp", raw), InvalidReason.END_TIMESTAMP, "end_timestamp must be a number", raw);
  }

  @Test
  void endTimestampAsArrayIsInvalid() {
    assertInvalid(span("end_timestamp", "[1.0]"), InvalidReason.END_TIMESTAMP, "end_timestamp", "an array");
  }

  // ---- RECEIVED

  @ParameterizedTest
  @ValueSource(strings = {"\"1.0\"", "false", "{}", "1e999"})
  void receivedThatIsNotAFiniteNumberIsInvalid(String raw) {
    assertInvalid(span("received", raw), InvalidReason.RECEIVED, "received must be a number");
  }

  @Test
  void receivedAsStringIsShownInTheMessage() {
    assertInvalid(span("received", "\"1.0\""), InvalidReason.RECEIVED, "but was \"1.0\"");
  }

  // ---- IS_SEGMENT

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "1", "0", "[]", "{}"})
  void isSegmentThatIsNotABooleanIsInvalid(String raw) {
    assertInvalid(span("is_segment", raw), InvalidReason.IS_SEGMENT, "is_segment must be a boolean");
  }

  @Test
  void isSegmentAsStringIsShownInTheMessage() {
    assertInvalid(span("is_segment", "\"true\""), InvalidReason.IS_SEGMENT, "but was \"true\"");
  }

  // ---- ATTRIBUTES

  @Test
  void attributesAsArrayIsInvalid() {
    assertInvalid(span("attributes", "[]"), InvalidReason.ATTRIBUTES, "attributes must be an object", "an array");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"{}\"", "1", "true"})
  void attributesAsScalarIsInvalid(String raw) {
    assertInvalid(span("attributes", raw), InvalidReason.ATTRIBUTES, "attributes must be an object", raw);
  }

  // ---- SEGMENT_ID

  @ParameterizedTest
  @ValueSource(strings = {"\"00000000000000C3\"", "\"c3\"", "\"000000000000000c3\"", "\"nothex0000000000\"", "195",
      "null"})
  void segmentIdWithBadValueIsInvalid(String raw) {
    assertInvalid(span("attributes", "{\"sentry.segment.id\":{\"type\":\"string\",\"value\":" + raw + "}}"),
        InvalidReason.SEGMENT_ID, "sentry.segment.id", "its value was " + raw);
  }

  @Test
  void segmentIdWithoutValueIsInvalid() {
    assertInvalid(span("attributes", "{\"sentry.segment.id\":{\"type\":\"string\"}}"),
        InvalidReason.SEGMENT_ID, "sentry.segment.id", "has no value");
    assertInvalid(span("attributes", "{\"sentry.segment.id\":{}}"),
        InvalidReason.SEGMENT_ID, "sentry.segment.id", "has no value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"integer\"", "\"String\"", "1", "null"})
  void segmentIdOfWrongTypeIsInvalid(String type) {
    assertInvalid(
        span("attributes", "{\"sentry.segment.id\":{\"type\":" + type + ",\"value\":\"00000000000000c3\"}}"),
        InvalidReason.SEGMENT_ID, "sentry.segment.id", "its type was " + type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"00000000000000c3\"", "null", "[]", "195"})
  void segmentIdThatIsNotAnObjectIsInvalid(String raw) {
    assertInvalid(span("attributes", "{\"sentry.segment.id\":" + raw + "}"), InvalidReason.SEGMENT_ID,
        "sentry.segment.id", "but was ");
  }

  @Test
  void segmentIdWithTwoValuesIsInvalid() {
    assertInvalid(
        span("attributes",
            "{\"sentry.segment.id\":{\"value\":\"00000000000000c3\",\"value\":\"00000000000000c3\"}}"),
        InvalidReason.SEGMENT_ID, "sentry.segment.id");
  }

  @Test
  void firstProblemWins() {
    assertInvalid(span("span_id", "1", "project_id", "0"), InvalidReason.SPAN_ID, "span_id");
  }

  @Test
  void everyInvalidReasonIsReachable() {
    Map<InvalidReason, String> examples = new java.util.EnumMap<>(InvalidReason.class);
    examples.put(InvalidReason.MALFORMED_JSON, "{");
    examples.put(InvalidReason.NOT_AN_OBJECT, "[]");
    examples.put(InvalidReason.TRAILING_DATA, span() + "{}");
    examples.put(InvalidReason.DUPLICATE_FIELD, withField(span(), "\"span_id\":\"" + SPAN + "\""));
    examples.put(InvalidReason.TRACE_ID, span("trace_id", ABSENT));
    examples.put(InvalidReason.SPAN_ID, span("span_id", ABSENT));
    examples.put(InvalidReason.PARENT_SPAN_ID, span("parent_span_id", "1"));
    examples.put(InvalidReason.PROJECT_ID, span("project_id", ABSENT));
    examples.put(InvalidReason.END_TIMESTAMP, span("end_timestamp", ABSENT));
    examples.put(InvalidReason.RECEIVED, span("received", "\"1\""));
    examples.put(InvalidReason.IS_SEGMENT, span("is_segment", "1"));
    examples.put(InvalidReason.ATTRIBUTES, span("attributes", "[]"));
    examples.put(InvalidReason.SEGMENT_ID, span("attributes", "{\"sentry.segment.id\":1}"));
    assertThat(examples).hasSize(InvalidReason.values().length);
    examples.forEach((reason, json) -> assertThat(invalid(utf8(json)).reason()).as(json).isEqualTo(reason));
  }

  @Test
  void theParserKeepsNoReferenceToTheLastSpanItRead() {
    byte[] bytes = utf8(span("name", "\"" + "x".repeat(1 << 20) + "\""));
    java.lang.ref.WeakReference<byte[]> ref = new java.lang.ref.WeakReference<>(bytes);
    assertThat(Span.parse(bytes)).isInstanceOf(Span.class);
    bytes = null;
    for (int i = 0; i < 20 && ref.get() != null; i++) {
      System.gc();
    }
    assertThat(ref.get()).as("the span's bytes, after the parse result was dropped").isNull();
  }
}
