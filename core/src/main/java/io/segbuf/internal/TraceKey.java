package io.segbuf.internal;

import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import org.jspecify.annotations.Nullable;

/**
 * A trace's identity in the store. Written-out {@code equals} and {@code hashCode}: a record's own go through
 * method handles, which stayed visible in profiles of this per-span map lookup. The hash is {@link IdHash}'s,
 * seeded per process, and keys are {@link Comparable}, so that even a full {@code HashMap} bin is a tree: chosen
 * trace ids cost O(log n) per lookup at worst.
 */
record TraceKey(long projectId, long traceHigh, long traceLow) implements Comparable<TraceKey> {
  static TraceKey of(SegmentKey key) {
    TraceId trace = key.traceId();
    return new TraceKey(key.projectId(), trace.high(), trace.low());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TraceKey k
        && k.traceLow == traceLow && k.traceHigh == traceHigh && k.projectId == projectId;
  }

  @Override
  public int hashCode() {
    return IdHash.fold(IdHash.of(traceLow, traceHigh, projectId));
  }

  @Override
  public int compareTo(TraceKey o) {
    int c = Long.compare(projectId, o.projectId);
    if (c == 0) {
      c = Long.compareUnsigned(traceHigh, o.traceHigh);
    }
    return c != 0 ? c : Long.compareUnsigned(traceLow, o.traceLow);
  }
}
