package io.segbuf.redis.internal;

import java.util.function.BooleanSupplier;

/**
 * When a shard's changelog is replaced by a snapshot, by its byte counts alone (no round trip): once it holds more
 * dead payload (spans flushed since they were written, in the snapshot or after it) than the next snapshot would
 * hold (what the store buffers now, plus the last snapshot's bytes other than payload: ids of remembered spans,
 * segments), and at least {@code compactionBytes}. So each compaction costs less than the dead bytes it drops: compaction costs at most a constant factor of the appends, a changelog holds at most about twice
 * what its shard buffers (plus {@code compactionBytes} and the ids of remembered spans), and flushing frees Redis
 * memory soon, which is what a Redis near its {@code maxmemory} waits for. A changelog of spans still buffered is
 * never compacted: it would not shrink.
 *
 * <p>While Redis is at its {@code maxmemory} it refuses every batch, so nothing new comes to be flushed and the dead
 * bytes stop growing: a shard whose dead bytes stayed under its next snapshot (the ids it remembers) or under {@code
 * compactionBytes} kept Redis full for good. So at the limit a compaction is tried once the dead bytes reach a
 * quarter of the next snapshot and {@value #AT_THE_LIMIT_BYTES} bytes, and made only if the snapshot turns out
 * smaller than the changelog it replaces: it costs up to four times the dead bytes it drops, still a constant factor
 * of the appends, and it frees memory. Thread-safe.
 */
public final class Compaction {
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
  private final BooleanSupplier atTheLimit;

  /** @param atTheLimit whether Redis is at its {@code maxmemory} now, so that it refuses batches */
  public Compaction(long compactionBytes, BooleanSupplier atTheLimit) {
    this.compactionBytes = compactionBytes;
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
    if (dead > Math.max(nextSnapshot, compactionBytes)) {
      return Plan.COMPACT;
    }
    return dead >= Math.max(nextSnapshot / 4, AT_THE_LIMIT_BYTES) && atTheLimit.getAsBoolean()
        ? Plan.COMPACT_IF_SMALLER : Plan.NONE;
  }
}
