package io.segbuf.redis.internal;

import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import java.util.Comparator;

/** One trace of one project: what a trace log belongs to. Ordered, so that locks are always taken in one order. */
public record TraceRef(long projectId, TraceId traceId) implements Comparable<TraceRef> {
  private static final Comparator<TraceRef> ORDER =
      Comparator.comparingLong(TraceRef::projectId).thenComparing(TraceRef::traceId);

  public static TraceRef of(Span span) {
    return new TraceRef(span.projectId(), new TraceId(span.traceIdHigh(), span.traceIdLow()));
  }

  public static TraceRef of(SegmentKey key) {
    return new TraceRef(key.projectId(), key.traceId());
  }

  public SegmentKey segment(long segmentId) {
    return new SegmentKey(projectId, traceId, segmentId);
  }

  @Override
  public int compareTo(TraceRef other) {
    return ORDER.compare(this, other);
  }

  /** {@code <project>:<trace id>}. */
  @Override
  public String toString() {
    return projectId + ":" + traceId.toHex();
  }
}
