package io.segbuf.redis.internal;

import io.segbuf.FlushPolicy;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.spi.SealedSegment;
import java.util.List;

/**
 * One change to a shard's in-memory store, as its changelog holds it: replaying a shard's records in order into an
 * empty store gives the state its owner had.
 */
public sealed interface ChangelogRecord {

  /** The first record of every changelog, written when a shard is first taken: marks that the log exists. */
  record Start() implements ChangelogRecord {}

  /**
   * The whole state of the shard's store ({@link io.segbuf.spi.SnapshotStore#snapshot}): the first record of a compacted
   * changelog, replacing every record before it.
   */
  record Snapshot(byte[] state) implements ChangelogRecord {}

  /** {@code SegmentStore.add(shard, spans, policy, now)}. */
  record Added(List<Span> spans, FlushPolicy policy, long nowMillis) implements ChangelogRecord {}

  /** {@code SegmentStore.seal(key, now)}. */
  record Sealed(SegmentKey key, long nowMillis) implements ChangelogRecord {}

  /** {@code SegmentStore.complete(sealed, chunked)}. */
  record Completed(SealedSegment sealed, boolean chunked) implements ChangelogRecord {}
}
