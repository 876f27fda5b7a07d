package io.segbuf.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * One shard's segments by deadline (then sequence number): a binary min-heap in an array, each segment knowing its
 * slot ({@link BufferedSegment#queueIndex}). Asking for due segments when none is due reads one slot, so a flush
 * cycle with nothing due costs O(1); placing or moving a segment costs O(log n) array steps (a {@code TreeSet} cost
 * a walk down its left spine on every cycle and cache misses on every move).
 */
final class DeadlineQueue {
  static final Comparator<BufferedSegment> BY_DEADLINE = (a, b) -> {
    int byDeadline = Long.compare(a.deadlineMillis, b.deadlineMillis);
    return byDeadline != 0 ? byDeadline : Long.compare(a.seq, b.seq);
  };

  private @Nullable BufferedSegment[] heap = new BufferedSegment[16];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  /** Puts the segment at its place for its current deadline, whether or not it was queued. */
  void place(BufferedSegment segment) {
    int i = segment.queueIndex;
    if (i < 0) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      i = size++;
      set(i, segment);
    }
    siftDown(siftUp(i));
  }

  /** Takes the segment out; nothing when it is not queued. */
  void remove(BufferedSegment segment) {
    int i = segment.queueIndex;
    if (i < 0) {
      return;
    }
    segment.queueIndex = -1;
    BufferedSegment last = at(--size);
    heap[size] = null;
    if (i < size) {
      set(i, last);
      siftDown(siftUp(i));
    }
  }

  /**
   * The segments whose deadline is at or before {@code nowMillis}, oldest deadline first, at most {@code limit}.
   * Every ancestor of a due segment in the heap is due too, so they are found by walking down from the top
   * through due slots only: O(limit log limit), whatever the queue's size.
   */
  List<BufferedSegment> due(long nowMillis, int limit) {
    if (size == 0 || limit <= 0 || at(0).deadlineMillis > nowMillis) {
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
        if (at(child).deadlineMillis <= nowMillis) {
          frontier.add(at(child));
        }
      }
    }
    return due;
  }

  private int siftUp(int i) {
    BufferedSegment segment = at(i);
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      BufferedSegment above = at(parent);
      if (BY_DEADLINE.compare(segment, above) >= 0) {
        break;
      }
      set(i, above);
      i = parent;
    }
    set(i, segment);
    return i;
  }

  private void siftDown(int i) {
    BufferedSegment segment = at(i);
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && BY_DEADLINE.compare(at(child + 1), at(child)) < 0) {
        child++;
      }
      BufferedSegment below = at(child);
      if (BY_DEADLINE.compare(below, segment) >= 0) {
        break;
      }
      set(i, below);
      i = child;
    }
    set(i, segment);
  }

  private void set(int i, BufferedSegment segment) {
    heap[i] = segment;
    segment.queueIndex = i;
  }

  @SuppressWarnings("NullAway") // slots below size are always filled
  private BufferedSegment at(int i) {
    return heap[i];
  }
}
