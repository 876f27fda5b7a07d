package io.segbuf.internal;

import io.segbuf.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * One tree of a trace: a top (a root, a span with an explicit segment id, or a missing parent) and the spans below
 * it, with the spans not yet sealed. Its label is its segment id. Guarded by the store's lock.
 */
final class SpanTree {
  long label;
  BufferedSegment segment;
  List<Span> open = new ArrayList<>(4);
  long openBytes;
  long firstInsertMillis = Long.MAX_VALUE;
  long lastInsertMillis = Long.MIN_VALUE;

  SpanTree(long label, BufferedSegment segment) {
    this.label = label;
    this.segment = segment;
  }

  void append(Span span, long nowMillis) {
    open.add(span);
    openBytes += span.size();
    firstInsertMillis = Math.min(firstInsertMillis, nowMillis);
    lastInsertMillis = Math.max(lastInsertMillis, nowMillis);
  }

  List<Span> takeOpen() {
    List<Span> taken = open;
    open = new ArrayList<>(4);
    openBytes = 0;
    firstInsertMillis = Long.MAX_VALUE;
    lastInsertMillis = Long.MIN_VALUE;
    return taken;
  }

  /** Moves the other tree's open spans into this one, copying the shorter list. */
  void absorb(SpanTree other) {
    if (other.open.size() > open.size()) {
      List<Span> larger = other.open;
      other.open = open;
      open = larger;
    }
    open.addAll(other.open);
    other.open = new ArrayList<>(0);
    openBytes += other.openBytes;
    other.openBytes = 0;
    firstInsertMillis = Math.min(firstInsertMillis, other.firstInsertMillis);
    lastInsertMillis = Math.max(lastInsertMillis, other.lastInsertMillis);
    other.firstInsertMillis = Long.MAX_VALUE;
    other.lastInsertMillis = Long.MIN_VALUE;
  }
}
