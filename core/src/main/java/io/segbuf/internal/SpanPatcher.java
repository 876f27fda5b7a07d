package io.segbuf.internal;

import java.nio.charset.StandardCharsets;

/**
 * Writes a span with {@code is_segment} and {@code attributes["sentry.segment.id"]} set for its segment,
 * copying every other byte as it is. Lengths are exact, so chunk budgets can be computed before writing.
 */
public final class SpanPatcher {

  /** What the patch does to {@code attributes}. */
  public enum AttributesEdit {
    /** The span names its segment already. */
    NONE,
    /** No {@code attributes}: add the whole field after the span's opening brace. */
    ADD_FIELD,
    /** {@code "attributes": null}: replace the null with an object. */
    REPLACE_NULL,
    /** {@code "attributes": {}}: add the only entry. */
    ADD_ONLY_ENTRY,
    /** {@code "attributes": {…}}: add an entry before the others. */
    ADD_ENTRY
  }

  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[] IS_SEGMENT_FIELD = ascii("\"is_segment\":");
  private static final byte[] ATTRIBUTES_FIELD = ascii("\"attributes\":{");
  private static final byte[] SEGMENT_ID_ENTRY = ascii("\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"");
  private static final byte[] SEGMENT_ID_END = ascii("\"}");
  /** {@code "sentry.segment.id":{"type":"string","value":"<16 hex>"}}. */
  private static final int ENTRY_LENGTH = SEGMENT_ID_ENTRY.length + 16 + SEGMENT_ID_END.length;

  private SpanPatcher() {}

  /** How many bytes the patch adds to a span (negative when it shortens it). */
  public static int growth(boolean isSegment, int isSegmentLength, AttributesEdit attributes) {
    int bool = isSegment ? TRUE.length : FALSE.length;
    int growth = isSegmentLength < 0 ? IS_SEGMENT_FIELD.length + bool + 1 : bool - isSegmentLength;
    switch (attributes) {
      case NONE:
        break;
      case ADD_FIELD:
        growth += ATTRIBUTES_FIELD.length + ENTRY_LENGTH + 2; // entry, "}", ","
        break;
      case REPLACE_NULL:
        growth += ENTRY_LENGTH + 2 - 4; // "{" entry "}" instead of null
        break;
      case ADD_ONLY_ENTRY:
        growth += ENTRY_LENGTH;
        break;
      case ADD_ENTRY:
        growth += ENTRY_LENGTH + 1; // entry ","
        break;
    }
    return growth;
  }

  /**
   * Writes the patched span into {@code out} at {@code pos}.
   *
   * @return the position after the last byte written
   */
  public static int write(
      byte[] span,
      long segmentId,
      boolean isSegment,
      int objectStart,
      int isSegmentStart,
      int isSegmentLength,
      AttributesEdit attributes,
      int attributesStart,
      byte[] out,
      int pos) {
    byte[] bool = isSegment ? TRUE : FALSE;
    int cursor = objectStart + 1;
    pos = copy(span, 0, cursor, out, pos);
    if (isSegmentStart < 0) {
      pos = copy(IS_SEGMENT_FIELD, out, pos);
      pos = copy(bool, out, pos);
      out[pos++] = ',';
    }
    if (attributes == AttributesEdit.ADD_FIELD) {
      pos = copy(ATTRIBUTES_FIELD, out, pos);
      pos = writeEntry(segmentId, out, pos);
      out[pos++] = '}';
      out[pos++] = ',';
    }
    boolean attributesInPlace = attributes != AttributesEdit.NONE && attributes != AttributesEdit.ADD_FIELD;
    boolean isSegmentFirst = isSegmentStart >= 0 && (!attributesInPlace || isSegmentStart < attributesStart);
    if (isSegmentFirst) {
      pos = copy(span, cursor, isSegmentStart, out, pos);
      pos = copy(bool, out, pos);
      cursor = isSegmentStart + isSegmentLength;
    }
    if (attributesInPlace) {
      if (attributes == AttributesEdit.REPLACE_NULL) {
        pos = copy(span, cursor, attributesStart, out, pos);
        out[pos++] = '{';
        pos = writeEntry(segmentId, out, pos);
        out[pos++] = '}';
        cursor = attributesStart + 4;
      } else {
        pos = copy(span, cursor, attributesStart + 1, out, pos);
        pos = writeEntry(segmentId, out, pos);
        if (attributes == AttributesEdit.ADD_ENTRY) {
          out[pos++] = ',';
        }
        cursor = attributesStart + 1;
      }
    }
    if (isSegmentStart >= 0 && !isSegmentFirst) {
      pos = copy(span, cursor, isSegmentStart, out, pos);
      pos = copy(bool, out, pos);
      cursor = isSegmentStart + isSegmentLength;
    }
    return copy(span, cursor, span.length, out, pos);
  }

  private static int writeEntry(long segmentId, byte[] out, int pos) {
    pos = copy(SEGMENT_ID_ENTRY, out, pos);
    Hex.write(segmentId, out, pos);
    pos += 16;
    return copy(SEGMENT_ID_END, out, pos);
  }

  private static int copy(byte[] from, byte[] out, int pos) {
    System.arraycopy(from, 0, out, pos, from.length);
    return pos + from.length;
  }

  private static int copy(byte[] from, int start, int end, byte[] out, int pos) {
    System.arraycopy(from, start, out, pos, end - start);
    return pos + end - start;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
