package io.segbuf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The segments one {@code add} touched, each once, in the order first touched, so that each gets its deadline
 * and place in the queue once per call. One per store, reused from call to call under its lock: most calls of a
 * replay add one span, and a new {@code LinkedHashSet} per call cost five objects and a table.
 */
final class TouchedSegments {
  private final List<BufferedSegment> segments = new ArrayList<>();

  void add(BufferedSegment segment) {
    if (!segment.touched) {
      segment.touched = true;
      segments.add(segment);
    }
  }

  /** Hands every touched segment to {@code action}, in order, and forgets them all. */
  void drain(Consumer<BufferedSegment> action) {
    for (BufferedSegment segment : segments) {
      segment.touched = false;
    }
    try {
      segments.forEach(action);
    } finally {
      segments.clear();
    }
  }
}
