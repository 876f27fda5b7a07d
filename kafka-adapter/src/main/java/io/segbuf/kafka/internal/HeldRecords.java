package io.segbuf.kafka.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The input records of one partition, during one assignment, whose spans a store that is not durable holds and has
 * not flushed yet: the low watermark below which offsets may be committed. Records are held per polled batch (a
 * sequence range, the batch's first offset and how many of its spans are still buffered), so a span costs no
 * allocation and a release costs O(log batches). Within one assignment offsets grow with sequence numbers, but
 * for records read again after a rewind: such a batch lowers the offsets of the batches before it to its own, so
 * that the oldest batch still holding a span names the watermark. Thread-safe: the polling thread holds, flushers
 * release.
 */
public final class HeldRecords {
  private final List<Batch> batches = new ArrayList<>();
  /** Batches before this index hold nothing any more. */
  private int head;

  /**
   * Holds {@code held} spans of a batch whose records have the sequence numbers {@code firstSeq ...
   * firstSeq + records - 1}, the first of them at {@code firstOffset}. Sequence numbers only grow.
   */
  public synchronized void hold(long firstSeq, int records, long firstOffset, int held) {
    if (held > 0) {
      // A record read again after a rewind (a span neither stored nor dead-lettered) comes after records of higher
      // offsets taken before the rewind: while they are held, the commit must stay below it too.
      for (int i = batches.size() - 1; i >= head && batches.get(i).firstOffset > firstOffset; i--) {
        batches.get(i).firstOffset = firstOffset;
      }
      batches.add(new Batch(firstSeq, firstSeq + records, firstOffset, held));
    }
  }

  /** Whether {@code seq} was given to a batch held here (released or not). */
  public synchronized boolean covers(long seq) {
    return !batches.isEmpty() && seq >= batches.get(0).firstSeq && seq < batches.get(batches.size() - 1).endSeq;
  }

  /** One span of the record with sequence number {@code seq} was flushed; false when no batch here holds it. */
  public synchronized boolean release(long seq) {
    int i = find(seq);
    if (i < 0 || batches.get(i).held == 0) {
      return false;
    }
    batches.get(i).held--;
    while (head < batches.size() && batches.get(head).held == 0) {
      head++;
    }
    if (head > 32 && head * 2 > batches.size()) {
      batches.subList(0, head).clear();
      head = 0;
    }
    return true;
  }

  /** The offset of the oldest batch that still holds a span, if any: commits must stay at or below it. */
  public synchronized OptionalLong oldestHeldOffset() {
    return head < batches.size() ? OptionalLong.of(batches.get(head).firstOffset) : OptionalLong.empty();
  }

  public synchronized boolean isEmpty() {
    return head == batches.size();
  }

  private int find(long seq) {
    int lo = head;
    int hi = batches.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Batch b = batches.get(mid);
      if (seq < b.firstSeq) {
        hi = mid - 1;
      } else if (seq >= b.endSeq) {
        lo = mid + 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  private static final class Batch {
    final long firstSeq;
    final long endSeq;
    long firstOffset;
    int held;

    Batch(long firstSeq, long endSeq, long firstOffset, int held) {
      this.firstSeq = firstSeq;
      this.endSeq = endSeq;
      this.firstOffset = firstOffset;
      this.held = held;
    }
  }
}
