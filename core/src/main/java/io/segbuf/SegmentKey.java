package io.segbuf;

import io.segbuf.internal.Hex;

/**
 * Names one segment: its project, its trace and its segment id (the root's span id).
 *
 * @param projectId the span's {@code project_id}, positive
 * @param traceId the trace
 * @param segmentId the segment id, a span id (16 hex digits as a long)
 */
public record SegmentKey(long projectId, TraceId traceId, long segmentId) {

  public SegmentKey {
    if (projectId <= 0) {
      throw new IllegalArgumentException("projectId must be > 0 but was " + projectId);
    }
  }

  /** The segment id as 16 lowercase hex digits. */
  public String segmentIdHex() {
    return Hex.toHex(segmentId);
  }

  @Override
  public String toString() {
    return projectId + ":" + traceId.toHex() + ":" + segmentIdHex();
  }
}
