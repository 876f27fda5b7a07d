package io.segbuf.redis.internal;

/**
 * When a shard's changelog is replaced by a snapshot. Normally once the records after the last snapshot reach
 * {@code compactionBytes} or the snapshot's own size, whichever is larger: a snapshot is then written at most once
 * per as many bytes appended, so compaction costs a constant factor of the appends, and the changelog stays within
 * about twice the larger of the two. While Redis is past half its memory limit, sooner (at a quarter of the
 * snapshot's size, at least {@link #PRESSURED_MIN_BYTES}): flushes free memory only once compaction drops what they
 * completed. Thread-safe.
 */
public final class Compaction {
  static final double PRESSURE = 0.5;
  static final long PRESSURED_MIN_BYTES = 64 * 1024;

  private final long compactionBytes;
  private final RedisMemory memory;

  public Compaction(long compactionBytes, RedisMemory memory) {
    this.compactionBytes = compactionBytes;
    this.memory = memory;
  }

  boolean due(long snapshotBytes, long tailBytes) {
    if (tailBytes >= Math.max(compactionBytes, snapshotBytes)) {
      return true;
    }
    long[] usedAndMax = memory.usedAndMax();
    boolean pressed = usedAndMax[1] > 0 && usedAndMax[0] >= PRESSURE * usedAndMax[1];
    return pressed && tailBytes >= Math.max(PRESSURED_MIN_BYTES, snapshotBytes / 4);
  }
}
