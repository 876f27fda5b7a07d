package io.segbuf.redis.internal;

/**
 * When a shard's changelog is replaced by a snapshot, by its byte counts alone (no round trip): once it holds more
 * dead payload (spans flushed since they were written, in the snapshot or after it) than the next snapshot would
 * hold (what the store buffers now, plus the last snapshot's bytes other than payload: ids of remembered spans,
 * segments), and at least {@code compactionBytes}. So each compaction costs less than the dead bytes it drops: compaction costs at most a constant factor of the appends, a changelog holds at most about twice
 * what its shard buffers (plus {@code compactionBytes} and the ids of remembered spans), and flushing frees Redis
 * memory soon, which is what a Redis near its {@code maxmemory} waits for. A changelog of spans still buffered is
 * never compacted: it would not shrink. Thread-safe.
 */
public final class Compaction {
  private final long compactionBytes;

  public Compaction(long compactionBytes) {
    this.compactionBytes = compactionBytes;
  }

  /**
   * @param snapshotBytes the size of the snapshot heading the changelog (0 when none)
   * @param snapshotPayloadBytes the span payload bytes of that snapshot
   * @param tailBytes the size of the records after it
   * @param bufferedBytes the span payload bytes the store buffers now
   */
  boolean due(long snapshotBytes, long snapshotPayloadBytes, long tailBytes, long bufferedBytes) {
    long dead = snapshotPayloadBytes + tailBytes - bufferedBytes;
    long nextSnapshot = bufferedBytes + snapshotBytes - snapshotPayloadBytes;
    return dead > Math.max(nextSnapshot, compactionBytes);
  }
}
