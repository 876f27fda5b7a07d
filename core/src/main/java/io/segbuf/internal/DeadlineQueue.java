package io.segbuf.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * One shard's segments by deadline (then sequence number): a binary min-heap in arrays, each segment knowing its
 * slot ({@link BufferedSegment#queueIndex}). Asking for due segments when none is due reads one slot, so a flush
 * cycle with nothing due costs O(1); placing or moving a segment costs O(log n) array steps. Deadlines and sequence
 * numbers are copied into the heap's own arrays, so that sifting compares without visiting the segments (a {@code
 * TreeSet} walked down its left spine on every cycle and missed the cache on every node it compared).
 */
final class DeadlineQueue {
  static final Comparator<BufferedSegment> BY_DEADLINE = (a, b) -> {
    int byDeadline = Long.compare(a.deadlineMillis, b.deadlineMillis);
    return byDeadline != 0 ? byDeadline : Long.compare(a.seq, b.seq);
  };

  private @Nullable BufferedSegment[] segments = new BufferedSegment[16];
  private long[] deadlines = new long[16];
  private long[] seqs = new long[16];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  /** Puts the segment at its place for its current deadline, whether or not it was queued. */
  void place(BufferedSegment segment) {
    int i = segment.queueIndex;
    if (i < 0) {
      if (size == segments.length) {
        segments = Arrays.copyOf(segments, size * 2);
        deadlines = Arrays.copyOf(deadlines, size * 2);
        seqs = Arrays.copyOf(seqs, size * 2);
      }
      i = size++;
    }
    set(i, segment, segment.deadlineMillis, segment.seq);
    siftDown(siftUp(i));
  }

  /** Takes the segment out; nothing when it is not queued. */
  void remove(BufferedSegment segment) {
    int i = segment.queueIndex;
    if (i < 0) {
      return;
    }
    segment.queueIndex = -1;
    size--;
    if (i < size) {
      set(i, at(size), deadlines[size], seqs[size]);
      siftDown(siftUp(i));
    }
    segments[size] = null;
  }

  /**
   * The segments whose deadline is at or before {@code nowMillis}, oldest deadline first, at most {@code limit}.
   * Every ancestor of a due segment in the heap is due too, so they are found by walking down from the top
   * through due slots only: O(limit log limit), whatever the queue's size.
   */
  List<BufferedSegment> due(long nowMillis, int limit) {
    if (size == 0 || limit <= 0 || deadlines[0] > nowMillis) {
      return List.of();
    }
    List<BufferedSegment> due = new ArrayList<>(Math.min(limit, 16));
    PriorityQueue<BufferedSegment> frontier = new PriorityQueue<>(BY_DEADLINE);
    frontier.add(at(0));
    while (due.size() < limit) {
      BufferedSegment next = frontier.poll();
      if (next == null) {
        break;
      }
      due.add(next);
      for (int child = 2 * next.queueIndex + 1; child <= 2 * next.queueIndex + 2 && child < size; child++) {
        if (deadlines[child] <= nowMillis) {
          frontier.add(at(child));
        }
      }
    }
    return due;
  }

  private int siftUp(int i) {
    BufferedSegment segment = at(i);
    long deadline = deadlines[i];
    long seq = seqs[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(deadline, seq, deadlines[parent], seqs[parent])) {
        break;
      }
      set(i, at(parent), deadlines[parent], seqs[parent]);
      i = parent;
    }
    set(i, segment, deadline, seq);
    return i;
  }

  private void siftDown(int i) {
    BufferedSegment segment = at(i);
    long deadline = deadlines[i];
    long seq = seqs[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(deadlines[child + 1], seqs[child + 1], deadlines[child], seqs[child])) {
        child++;
      }
      if (!before(deadlines[child], seqs[child], deadline, seq)) {
        break;
      }
      set(i, at(child), deadlines[child], seqs[child]);
      i = child;
    }
    set(i, segment, deadline, seq);
  }

  /** {@link #BY_DEADLINE} on copied keys. */
  private static boolean before(long deadline, long seq, long otherDeadline, long otherSeq) {
    return deadline < otherDeadline || (deadline == otherDeadline && seq < otherSeq);
  }

  private void set(int i, BufferedSegment segment, long deadline, long seq) {
    segments[i] = segment;
    deadlines[i] = deadline;
    seqs[i] = seq;
    segment.queueIndex = i;
  }

  @SuppressWarnings("NullAway") // slots below size are always filled
  private BufferedSegment at(int i) {
    return segments[i];
  }
}
