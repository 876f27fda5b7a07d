package io.segbuf.internal;

import io.segbuf.FlushReason;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.spi.SealedSegment;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory state of one segment (one label of a trace): its trees of open spans, the generation sealed for a
 * flush (if any), its flush history and its place in its shard's due queue. Guarded by the store's lock.
 */
final class BufferedSegment {
  final SegmentKey key;
  final int shard;
  /** Breaks ties between equal deadlines in the due queue. */
  final long seq;
  final List<SpanTree> trees = new ArrayList<>(1);

  int openSpans;
  long openBytes;
  long firstInsertMillis = Long.MAX_VALUE;
  long lastInsertMillis = Long.MIN_VALUE;
  /** Sticky: once the root has arrived, continuations use the root timeout too. */
  boolean hasRoot;
  int nextGeneration;
  /** An earlier generation was flushed in chunks. */
  boolean chunked;

  long openDeadlineMillis;
  FlushReason openReason = FlushReason.IDLE_TIMEOUT;

  @Nullable SealedSegment sealed;
  @Nullable List<Span> sealedSpans;
  FlushReason sealedReason = FlushReason.IDLE_TIMEOUT;

  /** The slot in its shard's {@link DeadlineQueue}, or -1 while not queued. */
  int queueIndex = -1;
  /** The position in the due queue: set before the queue places the segment anew. */
  long deadlineMillis;
  FlushReason reason = FlushReason.IDLE_TIMEOUT;
  /** In the store's {@link TouchedSegments} of the add under way. */
  boolean touched;
  /** Counted among the store's buffered segments. */
  boolean active;

  BufferedSegment(SegmentKey key, int shard, long seq) {
    this.key = key;
    this.shard = shard;
    this.seq = seq;
  }

  boolean queued() {
    return queueIndex >= 0;
  }

  boolean hasBuffered() {
    return openSpans > 0 || sealed != null;
  }

  /** Takes every tree's open spans as one list and resets the open counters. */
  List<Span> takeOpenSpans() {
    List<Span> spans;
    if (trees.size() == 1) {
      spans = trees.get(0).takeOpen();
    } else {
      spans = new ArrayList<>(openSpans);
      for (SpanTree tree : trees) {
        spans.addAll(tree.takeOpen());
      }
    }
    openSpans = 0;
    openBytes = 0;
    firstInsertMillis = Long.MAX_VALUE;
    lastInsertMillis = Long.MIN_VALUE;
    return spans;
  }

  void addTree(SpanTree tree) {
    trees.add(tree);
    tree.segment = this;
    takeCounts(tree);
  }

  /** Counts another segment's tree's open spans here, as it is absorbed into one of this segment's trees. */
  void takeCounts(SpanTree tree) {
    openSpans += tree.open.size();
    openBytes += tree.openBytes;
    firstInsertMillis = Math.min(firstInsertMillis, tree.firstInsertMillis);
    lastInsertMillis = Math.max(lastInsertMillis, tree.lastInsertMillis);
  }

  void removeTree(SpanTree tree) {
    trees.remove(tree);
    openSpans -= tree.open.size();
    openBytes -= tree.openBytes;
    firstInsertMillis = Long.MAX_VALUE;
    lastInsertMillis = Long.MIN_VALUE;
    for (SpanTree t : trees) {
      firstInsertMillis = Math.min(firstInsertMillis, t.firstInsertMillis);
      lastInsertMillis = Math.max(lastInsertMillis, t.lastInsertMillis);
    }
  }

  void append(SpanTree tree, Span span, long nowMillis) {
    tree.append(span, nowMillis);
    openSpans++;
    openBytes += span.size();
    firstInsertMillis = Math.min(firstInsertMillis, nowMillis);
    lastInsertMillis = Math.max(lastInsertMillis, nowMillis);
  }
}
