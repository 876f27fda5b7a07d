package io.segbuf.internal;

import io.segbuf.ChunkingStrategy;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans how a segment generation is split into messages whose exact encoded length (envelope, commas and all) is
 * at most {@code maxMessageBytes} (docs/design.md §4.4); {@link io.segbuf.Chunker} is its public face. A segment that
 * fits goes whole; otherwise every chunk says {@code skip_enrichment}. A span too large for the budget goes alone
 * in its own chunk. Chunks are ranges of the segment's order, so they never mix segments and none is empty.
 * Immutable and thread-safe.
 */
public final class ChunkPlanner {
  private final ChunkingStrategy strategy;
  private final int maxMessageBytes;

  public ChunkPlanner(ChunkingStrategy strategy, int maxMessageBytes) {
    this.strategy = strategy;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Plans the messages of one generation.
   *
   * @param skipInherited an earlier generation of the segment was chunked
   */
  public ChunkPlan plan(SegmentOrder order, long segmentId, int generation, boolean skipInherited) {
    int n = order.size();
    if (n == 0) {
      throw new IllegalArgumentException("a segment generation must hold spans");
    }
    long[] sums = new long[n + 1];
    for (int i = 0; i < n; i++) {
      sums[i + 1] = sums[i] + Spans.patchedLength(order.span(i), segmentId);
    }
    long whole = MessageEncoder.prefixLength(generation, 0, 1, skipInherited) + cost(sums, 0, n)
        + MessageEncoder.suffixLength();
    if (whole <= maxMessageBytes) {
      Chunk only = new Chunk(0, n, (int) whole);
      return new ChunkPlan(List.of(only), skipInherited, false, 0);
    }
    int countDigits = 1;
    while (true) {
      Packer packer = new Packer(sums, generation, countDigits);
      if (strategy == ChunkingStrategy.GREEDY) {
        for (int i = 0; i < n; i++) {
          packer.place(i, i + 1);
        }
      } else {
        packSubtrees(order, sums, packer);
      }
      List<int[]> ranges = packer.finish();
      int count = ranges.size();
      if (MessageEncoder.digits(count) <= countDigits) {
        return exact(sums, generation, ranges);
      }
      countDigits = MessageEncoder.digits(count);
    }
  }

  /** Whole subtrees where they fit the current chunk or a new one; else the top alone, then its children. */
  private static void packSubtrees(SegmentOrder order, long[] sums, Packer packer) {
    int i = 0;
    while (i < order.size()) {
      int end = order.subtreeEnd(i);
      long subtree = cost(sums, i, end);
      if (packer.fitsCurrent(subtree) || subtree <= packer.capacityOfNext()) {
        packer.place(i, end);
        i = end;
      } else {
        packer.place(i, i + 1);
        i++;
      }
    }
  }

  private ChunkPlan exact(long[] sums, int generation, List<int[]> ranges) {
    List<Chunk> chunks = new ArrayList<>(ranges.size());
    int oversized = 0;
    for (int i = 0; i < ranges.size(); i++) {
      int[] r = ranges.get(i);
      long length = MessageEncoder.prefixLength(generation, i, ranges.size(), true) + cost(sums, r[0], r[1])
          + MessageEncoder.suffixLength();
      if (length > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("a message of " + length + " bytes cannot be encoded");
      }
      if (length > maxMessageBytes) {
        oversized++;
      }
      chunks.add(new Chunk(r[0], r[1], (int) length));
    }
    return new ChunkPlan(chunks, true, true, oversized);
  }

  /** The bytes of the spans at {@code [from, to)} with the commas between them. */
  private static long cost(long[] sums, int from, int to) {
    return sums[to] - sums[from] + (to - from - 1);
  }

  /** Fills chunks in order; a range goes into the current chunk if it fits, else it starts the next one. */
  private final class Packer {
    private final long[] sums;
    private final int generation;
    private final int countForDigits;
    private final List<int[]> ranges = new ArrayList<>();
    private int start = -1;
    private int end;
    private long used;

    Packer(long[] sums, int generation, int countDigits) {
      this.sums = sums;
      this.generation = generation;
      int c = 1;
      for (int d = 1; d < countDigits; d++) {
        c *= 10;
      }
      this.countForDigits = c;
    }

    /** Room for spans in chunk {@code index}: the budget less envelope and brackets. */
    private long capacity(int index) {
      return (long) maxMessageBytes - MessageEncoder.prefixLength(generation, index, countForDigits, true)
          - MessageEncoder.suffixLength();
    }

    boolean fitsCurrent(long cost) {
      return start >= 0 && used + 1 + cost <= capacity(ranges.size());
    }

    long capacityOfNext() {
      return capacity(start >= 0 ? ranges.size() + 1 : ranges.size());
    }

    /** Adds the spans at {@code [from, to)}; a single span larger than a chunk goes alone. */
    void place(int from, int to) {
      long cost = cost(sums, from, to);
      if (start >= 0 && !fitsCurrent(cost)) {
        close();
      }
      if (start < 0) {
        start = from;
        used = cost;
      } else {
        used += 1 + cost;
      }
      end = to;
      if (used > capacity(ranges.size())) {
        close(); // one span over the budget: alone in its chunk
      }
    }

    private void close() {
      if (start >= 0) {
        ranges.add(new int[] {start, end});
        start = -1;
      }
    }

    List<int[]> finish() {
      close();
      return ranges;
    }
  }
}
