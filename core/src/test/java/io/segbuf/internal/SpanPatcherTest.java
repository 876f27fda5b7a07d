package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpanPatcherTest {
  private static final String FIELDS =
      "\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"span_id\":\"00000000000000a1\",\"project_id\":7,"
          + "\"end_timestamp\":1.5";
  private static final long SPAN = 0xa1;
  private static final long OTHER = 0xc3;

  private static String entry(String hex) {
    return "\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"" + hex + "\"}";
  }

  /** Patches {@code json} for {@code segmentId} at an offset in a larger buffer and checks the length claims. */
  private static String patched(String json, long segmentId) {
    ParseResult r = Span.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(r).isInstanceOf(Span.class);
    Span span = (Span) r;
    int length = Spans.patchedLength(span, segmentId);
    byte[] out = new byte[length + 6];
    Arrays.fill(out, (byte) '#');
    int end = Spans.writePatched(span, segmentId, out, 3);
    assertThat(end).isEqualTo(3 + length);
    assertThat(new String(out, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("###");
    assertThat(new String(out, end, 3, StandardCharsets.US_ASCII)).isEqualTo("###");
    return new String(out, 3, length, StandardCharsets.UTF_8);
  }

  @Test
  void addsIsSegmentAndAttributesFieldsAfterTheOpeningBrace() {
    assertThat(patched(" \n{" + FIELDS + ",\"name\":\"café\"}\t", OTHER))
        .isEqualTo(" \n{\"is_segment\":false,\"attributes\":{" + entry("00000000000000c3") + "}," + FIELDS
            + ",\"name\":\"café\"}\t");
  }

  @Test
  void addsEntryToEmptyAttributesAndReplacesIsSegmentValue() {
    assertThat(patched("{\"is_segment\":true,\"attributes\":{ \n }," + FIELDS + "}", OTHER))
        .isEqualTo("{\"is_segment\":false,\"attributes\":{" + entry("00000000000000c3") + " \n }," + FIELDS + "}");
  }

  @Test
  void replacesNullAttributesWithAnObject() {
    assertThat(patched("{\"attributes\" : null," + FIELDS + ",\"is_segment\":null}", OTHER))
        .isEqualTo("{\"attributes\" : {" + entry("00000000000000c3") + "}," + FIELDS + ",\"is_segment\":false}");
  }

  @Test
  void addsEntryBeforeOtherAttributesWhenIsSegmentComesAfter() {
    String op = "\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}";
    assertThat(patched("{" + FIELDS + ",\"attributes\":{" + op + "},\"is_segment\" :\tfalse }", SPAN))
        .isEqualTo("{" + FIELDS + ",\"attributes\":{" + entry("00000000000000a1") + "," + op
            + "},\"is_segment\" :\ttrue }");
  }

  @Test
  void addsEntryBeforeOtherAttributesWhenIsSegmentComesFirst() {
    String op = "\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}";
    assertThat(patched("{\"is_segment\":true," + FIELDS + ",\"attributes\":{ " + op + "}}", OTHER))
        .isEqualTo("{\"is_segment\":false," + FIELDS + ",\"attributes\":{" + entry("00000000000000c3") + ", " + op
            + "}}");
  }

  @Test
  void explicitSegmentIdStaysWhateverItsValue() {
    String attributes = "\"attributes\":{\"x\":1," + entry("00000000000000ff") + "}";
    assertThat(patched("{" + FIELDS + "," + attributes + "}", SPAN))
        .isEqualTo("{\"is_segment\":true," + FIELDS + "," + attributes + "}");
    assertThat(patched("{" + FIELDS + ",\"is_segment\":true," + attributes + "}", OTHER))
        .isEqualTo("{" + FIELDS + ",\"is_segment\":false," + attributes + "}");
  }

  @Test
  void isSegmentOnlyChangesItsValue() {
    String attributes = "\"attributes\":{" + entry("00000000000000a1") + "}";
    assertThat(patched("{" + FIELDS + ",\"is_segment\":false," + attributes + "}", SPAN))
        .isEqualTo("{" + FIELDS + ",\"is_segment\":true," + attributes + "}");
    assertThat(patched("{" + FIELDS + ",\"is_segment\":true," + attributes + "}", SPAN))
        .isEqualTo("{" + FIELDS + ",\"is_segment\":true," + attributes + "}");
  }

  @Test
  void growthCountsEveryAddedByte() {
    int entry = entry("00000000000000a1").length();
    assertThat(SpanPatcher.growth(true, -1, SpanPatcher.AttributesEdit.NONE))
        .isEqualTo("\"is_segment\":true,".length());
    assertThat(SpanPatcher.growth(false, -1, SpanPatcher.AttributesEdit.NONE))
        .isEqualTo("\"is_segment\":false,".length());
    assertThat(SpanPatcher.growth(true, 5, SpanPatcher.AttributesEdit.NONE)).isEqualTo(-1);
    assertThat(SpanPatcher.growth(false, 4, SpanPatcher.AttributesEdit.NONE)).isEqualTo(1);
    assertThat(SpanPatcher.growth(true, 4, SpanPatcher.AttributesEdit.ADD_FIELD))
        .isEqualTo("\"attributes\":{".length() + entry + "},".length());
    assertThat(SpanPatcher.growth(true, 4, SpanPatcher.AttributesEdit.REPLACE_NULL))
        .isEqualTo(entry + "{}".length() - "null".length());
    assertThat(SpanPatcher.growth(true, 4, SpanPatcher.AttributesEdit.ADD_ONLY_ENTRY)).isEqualTo(entry);
    assertThat(SpanPatcher.growth(true, 4, SpanPatcher.AttributesEdit.ADD_ENTRY)).isEqualTo(entry + 1);
  }
}
