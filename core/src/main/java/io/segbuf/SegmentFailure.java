package io.segbuf;

/**
 * A segment whose seal, read or encoding threw during a flush (a store error for its trace, a stored frame that
 * does not decode). The flush goes on with the shard's other segments; this one is tried again after a back-off.
 *
 * @param key the segment
 * @param attempts consecutive failed attempts, 1 the first time
 * @param error what was thrown
 */
public record SegmentFailure(SegmentKey key, int attempts, RuntimeException error) {}
