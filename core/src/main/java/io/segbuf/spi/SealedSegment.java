package io.segbuf.spi;

import io.segbuf.SegmentKey;

/**
 * One sealed generation of a segment: the spans it held when it was sealed.
 *
 * @param key the segment
 * @param shard the shard whose queue holds it
 * @param generation 0 for the first flush of the segment, higher for its continuations
 * @param spans how many spans the generation holds
 * @param bytes their original bytes
 * @param skipEnrichment whether an earlier generation was flushed in chunks, so this one must say so too
 */
public record SealedSegment(
    SegmentKey key, int shard, int generation, int spans, long bytes, boolean skipEnrichment) {

  /**
   * Checks that no count is negative.
   *
   * @param key the segment
   * @param shard the shard whose queue holds it
   * @param generation 0 for the first flush of the segment, higher for its continuations
   * @param spans how many spans the generation holds
   * @param bytes their original bytes
   * @param skipEnrichment whether an earlier generation was flushed in chunks, so this one must say so too
   */
  public SealedSegment {
    if (generation < 0 || spans < 0 || bytes < 0) {
      throw new IllegalArgumentException(
          "generation, spans and bytes must be >= 0 but were " + generation + ", " + spans + ", " + bytes);
    }
  }

  /** {@return true for a generation after the first: spans that arrived after the segment was flushed} */
  public boolean isContinuation() {
    return generation > 0;
  }
}
