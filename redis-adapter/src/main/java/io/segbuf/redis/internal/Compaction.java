package io.segbuf.redis.internal;

/**
 * When a shard's changelog is replaced by a snapshot, by its byte counts alone (no round trip):
 *
 * <ul>
 *   <li>once the records after the last snapshot reach {@code compactionBytes} or the snapshot's own size, whichever
 *       is larger, so that a snapshot is written at most once per as many bytes appended: compaction costs a
 *       constant factor of the appends, and a shard whose traces never go quiet keeps a bounded changelog;
 *   <li>sooner, once the changelog holds more dead payload (spans flushed since they were written, in the snapshot or
 *       after it) than the store buffers now, and at least {@link #MIN_BYTES}: each such compaction at least halves
 *       the payload the changelog holds, so flushing frees Redis memory soon, which is what a Redis near its {@code
 *       maxmemory} waits for.
 * </ul>
 *
 * Thread-safe.
 */
public final class Compaction {
  static final long MIN_BYTES = 64 * 1024;

  private final long compactionBytes;

  public Compaction(long compactionBytes) {
    this.compactionBytes = compactionBytes;
  }

  /**
   * @param snapshotBytes the size of the snapshot heading the changelog, 0 when there is none
   * @param snapshotPayloadBytes the span payload bytes that snapshot holds
   * @param tailBytes the size of the records after it
   * @param bufferedBytes the span payload bytes the store buffers now
   */
  boolean due(long snapshotBytes, long snapshotPayloadBytes, long tailBytes, long bufferedBytes) {
    if (tailBytes >= Math.max(compactionBytes, snapshotBytes)) {
      return true;
    }
    long dead = snapshotPayloadBytes + tailBytes - bufferedBytes;
    return dead > Math.max(bufferedBytes, MIN_BYTES);
  }
}
