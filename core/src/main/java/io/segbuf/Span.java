package io.segbuf;

import io.segbuf.internal.Digest;
import io.segbuf.internal.Hex;
import io.segbuf.internal.SpanFields;
import io.segbuf.internal.SpanParser;
import io.segbuf.internal.Spans;
import io.segbuf.internal.SpanPatcher;

/**
 * One span as it arrived on {@code ingest-spans}: the fields the buffer reads, parsed once, and the original
 * bytes, kept untouched. Immutable (but for the {@link #position()} the buffer sets once before storing it) and
 * thread-safe. The span owns {@link #bytes()}: callers must not change the
 * array after {@link #parse(byte[])} nor change what {@link #bytes()} returns.
 */
public final class Span implements ParseResult {
  /** The {@link #position()} of a span offered without one. */
  public static final long NO_POSITION = -1;
  private static final int HAS_PARENT = 1;
  private static final int IS_SEGMENT = 2;
  private static final int HAS_EXPLICIT_SEGMENT_ID = 4;
  private static final int HAS_RECEIVED = 8;
  private static final int EMPTY_ATTRIBUTES = 16;
  private static final int NULL_ATTRIBUTES = 32;

  private final byte[] bytes;
  private final long projectId;
  private final long traceHigh;
  private final long traceLow;
  private final long spanId;
  private final long parentSpanId;
  private final long explicitSegmentId;
  private final double endTimestamp;
  private final double received;
  private final int flags;
  private final int objectStart;
  private final int isSegmentStart;
  private final int isSegmentLength;
  private final int attributesStart;
  private final long digest;
  /** Set once by {@link SpanBuffer#offer} before the span is stored, then only read. */
  private long position = NO_POSITION;

  /**
   * Parses one span: one JSON object and nothing after it but white space. Never throws for bad data.
   *
   * @param bytes the span's JSON in UTF-8; the returned span keeps this array
   * @return the span, or an {@link Outcome.Invalid} naming what is wrong
   */
  public static ParseResult parse(byte[] bytes) {
    return SpanParser.parse(bytes);
  }

  static {
    Spans.register(new Internals());
  }

  /**
   * Builds a span from parsed fields; parsers reach it through {@link Spans#create}, so that neither this
   * constructor nor the mutable fields are part of the API.
   *
   * @param fields the parsed fields and the positions of the patchable values in {@code bytes}
   */
  private Span(byte[] bytes, SpanFields fields) {
    this.bytes = bytes;
    this.projectId = fields.projectId;
    this.traceHigh = fields.traceHigh;
    this.traceLow = fields.traceLow;
    this.spanId = fields.spanId;
    this.parentSpanId = fields.parentSpanId;
    this.explicitSegmentId = fields.explicitSegmentId;
    this.endTimestamp = fields.endTimestamp;
    this.received = fields.received;
    this.flags =
        (fields.hasParent ? HAS_PARENT : 0)
            | (fields.isSegment ? IS_SEGMENT : 0)
            | (fields.hasExplicitSegmentId ? HAS_EXPLICIT_SEGMENT_ID : 0)
            | (fields.hasReceived ? HAS_RECEIVED : 0)
            | (fields.emptyAttributes ? EMPTY_ATTRIBUTES : 0)
            | (fields.nullAttributes ? NULL_ATTRIBUTES : 0);
    this.objectStart = fields.objectStart;
    this.isSegmentStart = fields.isSegmentStart;
    this.isSegmentLength = fields.isSegmentLength;
    this.attributesStart = fields.attributesStart;
    // Here, while the bytes are in cache and on the parsing thread, rather than when the flushed span is forgotten.
    this.digest = Digest.of(bytes);
  }

  /** {@return the original bytes, untouched. Not a copy: do not modify} */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * The opaque position the caller gave with the span at {@link SpanBuffer#offer(int, java.util.List, long[],
   * java.time.Instant)} (a consumer's record sequence, say), handed back in {@link FlushResult#completed()} once
   * the span's generation is completed; {@link #NO_POSITION} when none was given.
   *
   * @return the position
   */
  public long position() {
    return position;
  }

  void position(long position) {
    this.position = position;
  }

  /** {@return the length of the original bytes} */
  public int size() {
    return bytes.length;
  }

  /** {@return {@code project_id}, positive} */
  public long projectId() {
    return projectId;
  }

  /** {@return {@code trace_id}} */
  public TraceId traceId() {
    return new TraceId(traceHigh, traceLow);
  }

  /** {@return the first 64 bits of {@code trace_id}} */
  public long traceIdHigh() {
    return traceHigh;
  }

  /** {@return the last 64 bits of {@code trace_id}} */
  public long traceIdLow() {
    return traceLow;
  }

  /** {@return {@code span_id}, 16 hex digits as a long} */
  public long spanId() {
    return spanId;
  }

  /** {@return true when {@code parent_span_id} is present and not null} */
  public boolean hasParent() {
    return (flags & HAS_PARENT) != 0;
  }

  /** {@return the parent's span id; meaningful only when {@link #hasParent()}} */
  public long parentSpanId() {
    return parentSpanId;
  }

  /** {@return true when the span says {@code "is_segment": true}} */
  public boolean isSegmentFlag() {
    return (flags & IS_SEGMENT) != 0;
  }

  /** {@return a segment root: no parent, {@code is_segment: true}, or its own parent} */
  public boolean isRoot() {
    return !hasParent() || isSegmentFlag() || parentSpanId == spanId;
  }

  /** {@return true when {@code attributes["sentry.segment.id"]} names the segment explicitly} */
  public boolean hasExplicitSegmentId() {
    return (flags & HAS_EXPLICIT_SEGMENT_ID) != 0;
  }

  /** {@return the explicit segment id; meaningful only when {@link #hasExplicitSegmentId()}} */
  public long explicitSegmentId() {
    return explicitSegmentId;
  }

  /** {@return {@code end_timestamp}, in seconds} */
  public double endTimestamp() {
    return endTimestamp;
  }

  /** {@return true when {@code received} is present and not null} */
  public boolean hasReceived() {
    return (flags & HAS_RECEIVED) != 0;
  }

  /** {@return {@code received}, in seconds; meaningful only when {@link #hasReceived()}} */
  public double received() {
    return received;
  }

  /** {@return the span's event time in seconds: {@code received} when present, else {@code end_timestamp}} */
  public double eventTime() {
    return hasReceived() ? received : endTimestamp;
  }

  private SpanPatcher.AttributesEdit attributesEdit() {
    if (hasExplicitSegmentId()) {
      return SpanPatcher.AttributesEdit.NONE;
    }
    if (attributesStart < 0) {
      return SpanPatcher.AttributesEdit.ADD_FIELD;
    }
    if ((flags & NULL_ATTRIBUTES) != 0) {
      return SpanPatcher.AttributesEdit.REPLACE_NULL;
    }
    return (flags & EMPTY_ATTRIBUTES) != 0
        ? SpanPatcher.AttributesEdit.ADD_ONLY_ENTRY
        : SpanPatcher.AttributesEdit.ADD_ENTRY;
  }

  /** See {@link Spans#patchedLength}. */
  private int patchedLength(long segmentId) {
    return bytes.length + SpanPatcher.growth(spanId == segmentId, isSegmentLength, attributesEdit());
  }

  /** See {@link Spans#writePatched}. */
  private int writePatched(long segmentId, byte[] out, int pos) {
    return SpanPatcher.write(
        bytes, segmentId, spanId == segmentId, objectStart, isSegmentStart, isSegmentLength,
        attributesEdit(), attributesStart, out, pos);
  }

  @Override
  public String toString() {
    return "Span{project=" + projectId + ", trace=" + traceId() + ", span=" + Hex.toHex(spanId)
        + (hasParent() ? ", parent=" + Hex.toHex(parentSpanId) : "") + ", bytes=" + bytes.length + "}";
  }

  /** What core's implementation reads of a span through {@link Spans}. */
  private static final class Internals implements Spans.Access {
    @Override
    public Span span(byte[] bytes, SpanFields fields) {
      return new Span(bytes, fields);
    }

    @Override
    public long digest(Span span) {
      return span.digest;
    }

    @Override
    public int patchedLength(Span span, long segmentId) {
      return span.patchedLength(segmentId);
    }

    @Override
    public int writePatched(Span span, long segmentId, byte[] out, int pos) {
      return span.writePatched(segmentId, out, pos);
    }
  }
}
