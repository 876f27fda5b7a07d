package io.segbuf.cli.generate;

import java.util.List;

/**
 * A planned trace during emission: its on-time spans in emission order and the spans held back to be
 * emitted late. Not thread-safe.
 */
final class PlannedTrace {

  private final PlannedSpan[] onTime;
  private final List<PlannedSpan> late;
  private int next;

  PlannedTrace(PlannedSpan[] onTime, List<PlannedSpan> late) {
    if (onTime.length == 0) {
      throw new IllegalArgumentException("a trace needs at least one span on time");
    }
    this.onTime = onTime;
    this.late = late;
  }

  boolean hasNext() {
    return next < onTime.length;
  }

  PlannedSpan next() {
    return onTime[next++];
  }

  List<PlannedSpan> late() {
    return late;
  }
}
