package io.segbuf.kafka.internal;

import java.util.OptionalLong;

/**
 * What the polling thread keeps of a partition it owns, a part per concern: its clock, the records whose spans are not
 * flushed yet, the store's refusals of its batch and of its shard's takeover, its shard as the flushers see it, and the
 * next offset to read. Polling thread only, but for {@link #flush()}.
 */
public final class OwnedPartition {
  private final HeldRecords held;
  private final PartitionClock clock = new PartitionClock();
  private final RefusalBackoff backoff = new RefusalBackoff();
  private final RefusalBackoff takeovers = new RefusalBackoff();
  private final FlushedShard flush = new FlushedShard();
  private OptionalLong nextOffset = OptionalLong.empty();

  /** {@code held}: where this assignment's records are held ({@link Watermarks#assigned}). */
  public OwnedPartition(HeldRecords held) {
    this.held = held;
  }

  /** Records of this assignment whose spans are not flushed yet (a store that is not durable). */
  public HeldRecords held() {
    return held;
  }

  public PartitionClock clock() {
    return clock;
  }

  public RefusalBackoff backoff() {
    return backoff;
  }

  /** Failed takeovers of its shard in the store in a row, and when to try again. */
  public RefusalBackoff takeovers() {
    return takeovers;
  }

  public FlushedShard flush() {
    return flush;
  }

  /** The offset after the last record offered; empty before any. */
  public OptionalLong nextOffset() {
    return nextOffset;
  }

  public void nextOffset(long offset) {
    nextOffset = OptionalLong.of(offset);
  }
}
