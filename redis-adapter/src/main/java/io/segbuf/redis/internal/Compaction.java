package io.segbuf.redis.internal;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * When a shard's changelog is replaced by a snapshot, by byte counts (no round trip): once the bytes it would free
 * (the changelog's bytes less the next snapshot's) are more than {@value #DEAD_PER_SNAPSHOT} times the next snapshot,
 * and more than {@code compactionBytes}. The next snapshot's size is the in-memory store's own count of it ({@link
 * io.segbuf.spi.SnapshotStore#snapshotBytes}: exact, in time linear in its traces and segments), not a guess from the
 * last snapshot, whose ids of remembered spans and segments may have been forgotten since. So each compaction writes
 * at most a third of the bytes it drops, and all compactions together at most half the bytes appended (a snapshot dies
 * in turn: written W ≤ (appended + W) / 3); a changelog holds at most about four times its next snapshot (what its
 * shard buffers and the ids of remembered spans), plus {@code compactionBytes}; and flushing frees Redis memory soon,
 * which is what a Redis near its {@code maxmemory} waits for. Writing the live state again at every doubling of the
 * dead cost a flush as much Redis CPU as the spans' ingest; so that is done only while Redis uses more than half its
 * {@code maxmemory}, where memory matters more (a changelog then holds at most about twice its next snapshot).
 *
 * <p>While Redis is at its {@code maxmemory} it refuses every batch, so nothing new comes to be flushed and the dead
 * bytes stop growing: a shard whose dead bytes stayed under three times its next snapshot (the ids it remembers) or
 * under {@code compactionBytes} kept Redis full for good. So at the limit a compaction is made once it frees a quarter
 * of the next snapshot and {@value #AT_THE_LIMIT_BYTES} bytes: it costs up to four times the bytes it frees, still a
 * constant factor of the appends, and it frees memory; a changelog that no compaction may shrink holds less than five
 * quarters of its next snapshot plus {@value #AT_THE_LIMIT_BYTES} bytes. Measuring the next snapshot costs a walk over
 * the store's traces and segments: it is skipped when the snapshot's payload alone (a lower bound) rules compaction
 * out. (Reusing a measure until the changelog grew by a quarter of it kept ids forgotten since in Redis, past the
 * changelog's bound: simulation seeds 503 and 202896.) Thread-safe.
 */
public final class Compaction {
  /** Bytes a compaction must free per byte of snapshot it writes, while Redis has memory to spare. */
  static final long DEAD_PER_SNAPSHOT = 3;

  /** The least bytes that make a compaction worth making while Redis is at its limit: the least compactionBytes. */
  static final long AT_THE_LIMIT_BYTES = 1024;

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
   * Whether to compact now.
   *
   * @param changelogBytes the bytes of the changelog's records, a snapshot heading it included
   * @param leastNextSnapshot a lower bound of the next snapshot's bytes, known at once: its span payload
   * @param nextSnapshot measures the next snapshot's bytes exactly
   */
  boolean due(long changelogBytes, long leastNextSnapshot, LongSupplier nextSnapshot) {
    boolean limit = atTheLimit.getAsBoolean();
    long ratio = memoryShort.getAsBoolean() ? 1 : DEAD_PER_SNAPSHOT;
    // the rule only gets stricter as the next snapshot grows, so a lower bound that rules compaction out rules it out
    return frees(changelogBytes, leastNextSnapshot, ratio, limit)
        && frees(changelogBytes, nextSnapshot.getAsLong(), ratio, limit);
  }

  private boolean frees(long changelogBytes, long nextSnapshot, long ratio, boolean limit) {
    long freed = changelogBytes - nextSnapshot;
    return freed > Math.max(ratio * nextSnapshot, compactionBytes)
        || limit && freed >= Math.max(nextSnapshot / 4, AT_THE_LIMIT_BYTES);
  }
}
