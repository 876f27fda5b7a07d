package io.segbuf.redis.internal;

import java.util.function.BooleanSupplier;

/**
 * When a shard's changelog is replaced by a snapshot, by its byte counts (no round trip): once it holds more
 * than {@value #DEAD_PER_SNAPSHOT} times as much dead payload (spans flushed since they were written, in the snapshot
 * or after it) as the next snapshot would hold (what the store buffers now, plus the last snapshot's bytes other than
 * payload: ids of remembered spans, segments), and at least {@code compactionBytes}. So each compaction writes at most
 * a third of the dead bytes it drops, and all compactions together at most half the bytes appended (a snapshot's
 * payload dies in turn: written W ≤ (appended + W) / 3); a changelog holds at most about four times its next
 * snapshot (what its shard buffers and the ids of remembered spans), plus {@code compactionBytes}; and flushing frees Redis memory soon, which
 * is what a Redis near its {@code maxmemory} waits for. Writing the live payload again at every doubling of the dead
 * cost a flush as much Redis CPU as the spans' ingest; so that is done only while Redis uses more than half its
 * {@code maxmemory}, where memory matters more (a changelog then holds at most about twice what its shard buffers).
 * A changelog of spans still buffered is never compacted: it would not shrink.
 *
 * <p>While Redis is at its {@code maxmemory} it refuses every batch, so nothing new comes to be flushed and the dead
 * bytes stop growing: a shard whose dead bytes stayed under its next snapshot (the ids it remembers) or under {@code
 * compactionBytes} kept Redis full for good. So at the limit a compaction is tried once the dead bytes reach a
 * quarter of the next snapshot and {@value #AT_THE_LIMIT_BYTES} bytes, and made only if the snapshot turns out
 * smaller than the changelog it replaces: it costs up to four times the dead bytes it drops, still a constant factor
 * of the appends, and it frees memory. Thread-safe.
 */
public final class Compaction {
  /** Dead bytes a compaction must drop per byte of snapshot it writes, while Redis has memory to spare. */
  static final long DEAD_PER_SNAPSHOT = 3;

  /** The least dead bytes that make a compaction worth trying while Redis is at its limit: the least compactionBytes. */
  static final long AT_THE_LIMIT_BYTES = 1024;

  /** What {@link #plan} advises. */
  public enum Plan {
    NONE,
    COMPACT,
    /** Redis is at its limit: compact if the snapshot is smaller than the changelog, so that memory is freed. */
    COMPACT_IF_SMALLER
  }

  private final long compactionBytes;
  private final BooleanSupplier memoryShort;
  private final BooleanSupplier atTheLimit;

  /**
   * @param memoryShort whether Redis is short of memory (above half its {@code maxmemory}); called often, cheap
   * @param atTheLimit whether Redis is at its {@code maxmemory} now, so that it refuses batches
   */
  public Compaction(long compactionBytes, BooleanSupplier memoryShort, BooleanSupplier atTheLimit) {
    this.compactionBytes = compactionBytes;
    this.memoryShort = memoryShort;
    this.atTheLimit = atTheLimit;
  }

  /**
   * @param snapshotBytes the size of the snapshot heading the changelog (0 when none)
   * @param snapshotPayloadBytes the span payload bytes of that snapshot
   * @param tailBytes the size of the records after it
   * @param bufferedBytes the span payload bytes the store buffers now
   */
  Plan plan(long snapshotBytes, long snapshotPayloadBytes, long tailBytes, long bufferedBytes) {
    long dead = snapshotPayloadBytes + tailBytes - bufferedBytes;
    long nextSnapshot = bufferedBytes + snapshotBytes - snapshotPayloadBytes;
    long ratio = memoryShort.getAsBoolean() ? 1 : DEAD_PER_SNAPSHOT;
    if (dead > Math.max(ratio * nextSnapshot, compactionBytes)) {
      return Plan.COMPACT;
    }
    return dead >= Math.max(nextSnapshot / 4, AT_THE_LIMIT_BYTES) && atTheLimit.getAsBoolean()
        ? Plan.COMPACT_IF_SMALLER : Plan.NONE;
  }
}
