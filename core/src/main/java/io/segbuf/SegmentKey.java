package io.segbuf;

import io.segbuf.internal.Hex;
import io.segbuf.internal.IdHash;
import org.jspecify.annotations.Nullable;

/**
 * Names one segment: its project, its trace and its segment id (the root's span id). Ordered by project, trace and
 * segment id (as unsigned hex); its hash code is seeded per process and fully mixed, so that chosen ids cannot
 * share a hash table's bin (it differs between processes; never store it).
 *
 * @param projectId the span's {@code project_id}, positive
 * @param traceId the trace
 * @param segmentId the segment id, a span id (16 hex digits as a long)
 */
public record SegmentKey(long projectId, TraceId traceId, long segmentId) implements Comparable<SegmentKey> {

  /**
   * Checks that the project id is positive.
   *
   * @param projectId the span's {@code project_id}, positive
   * @param traceId the trace
   * @param segmentId the segment id, a span id (16 hex digits as a long)
   */
  public SegmentKey {
    if (projectId <= 0) {
      throw new IllegalArgumentException("projectId must be > 0 but was " + projectId);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SegmentKey k && k.segmentId == segmentId && k.projectId == projectId
        && k.traceId.equals(traceId);
  }

  @Override
  public int hashCode() {
    return IdHash.fold(IdHash.of(IdHash.of(traceId.high(), traceId.low()), segmentId, projectId));
  }

  @Override
  public int compareTo(SegmentKey other) {
    int c = Long.compare(projectId, other.projectId);
    if (c == 0) {
      c = traceId.compareTo(other.traceId);
    }
    return c != 0 ? c : Long.compareUnsigned(segmentId, other.segmentId);
  }

  /** {@return the segment id as 16 lowercase hex digits} */
  public String segmentIdHex() {
    return Hex.toHex(segmentId);
  }

  @Override
  public String toString() {
    return projectId + ":" + traceId.toHex() + ":" + segmentIdHex();
  }
}
