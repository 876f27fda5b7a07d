package io.segbuf.internal;

import io.segbuf.Span;

/**
 * The parsed fields of a span, filled in by a parser, which {@link Spans#create} turns into a {@link Span}.
 * Mutable; not shared. Not part of the API: {@link Span} shows neither these fields nor a constructor taking them.
 */
public class SpanFields {
  public long projectId;
  public long traceHigh;
  public long traceLow;
  public long spanId;
  public boolean hasParent;
  public long parentSpanId;
  public boolean isSegment;
  public boolean hasExplicitSegmentId;
  public long explicitSegmentId;
  public double endTimestamp;
  public boolean hasReceived;
  public double received;
  /** Offset of the span object's opening brace. */
  public int objectStart;
  /** Offset and length of the {@code is_segment} value (true, false or null), or -1 when absent. */
  public int isSegmentStart = -1;
  public int isSegmentLength = -1;
  /** Offset of the {@code attributes} value (an object or null), or -1 when absent. */
  public int attributesStart = -1;
  /** True when {@code attributes} is JSON null. */
  public boolean nullAttributes;
  /** True when {@code attributes} is an object with no entries. */
  public boolean emptyAttributes;

  /** Sets every field back to its initial value, for a parser that reuses this object. */
  public void clear() {
    projectId = 0;
    traceHigh = 0;
    traceLow = 0;
    spanId = 0;
    hasParent = false;
    parentSpanId = 0;
    isSegment = false;
    hasExplicitSegmentId = false;
    explicitSegmentId = 0;
    endTimestamp = 0;
    hasReceived = false;
    received = 0;
    objectStart = 0;
    isSegmentStart = -1;
    isSegmentLength = -1;
    attributesStart = -1;
    nullAttributes = false;
    emptyAttributes = false;
  }
}
