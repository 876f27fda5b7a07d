package io.segbuf.internal;

import io.segbuf.Span;
import java.lang.invoke.MethodHandles;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The parsed fields of a span, filled in by a parser, and the one way to build a {@link Span} from them. Mutable;
 * not shared. {@link Span}'s constructor is private so that the public API shows neither it nor these fields:
 * Span hands it over here when its class is initialised (the JDK's shared-secrets pattern).
 */
public class SpanFields {
  private static volatile @Nullable BiFunction<byte[], SpanFields, Span> constructor;

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

  /**
   * The span of these fields over {@code bytes}; the span copies the fields, so this object may be cleared and
   * reused.
   */
  public final Span toSpan(byte[] bytes) {
    BiFunction<byte[], SpanFields, Span> c = constructor;
    if (c == null) {
      ensureSpanInitialized();
      c = constructor;
      if (c == null) {
        throw new IllegalStateException("Span must register its constructor when initialised but did not");
      }
    }
    return c.apply(bytes, this);
  }

  /** Called once, by {@link Span}'s static initialiser. */
  public static void register(BiFunction<byte[], SpanFields, Span> spanConstructor) {
    if (constructor != null) {
      throw new IllegalStateException("the span constructor must be registered once but was registered twice");
    }
    constructor = spanConstructor;
  }

  private static void ensureSpanInitialized() {
    try {
      MethodHandles.lookup().ensureInitialized(Span.class);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Span must be accessible to its parser but was not", e);
    }
  }
}
