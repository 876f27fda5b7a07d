package io.segbuf.spi;

import io.segbuf.FlushReason;
import io.segbuf.SegmentKey;

/**
 * A segment that is due for flushing.
 *
 * @param key the segment
 * @param reason the rule that made it due
 */
public record DueSegment(SegmentKey key, FlushReason reason) {}
