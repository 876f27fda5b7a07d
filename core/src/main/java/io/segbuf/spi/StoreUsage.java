package io.segbuf.spi;

/**
 * What a store holds.
 *
 * @param segments buffered segments (with open or sealed spans)
 * @param spans buffered spans
 * @param bytes their original bytes
 * @param usedMemoryBytes memory the store uses, as the store measures it
 * @param maxMemoryBytes the store's memory limit, or 0 when it has none
 * @param forgottenSpans flushed spans forgotten since the store was created because their trace, still active,
 *     held more than its limit of flushed spans (a late child of one starts a segment named by its parent)
 */
public record StoreUsage(
    long segments, long spans, long bytes, long usedMemoryBytes, long maxMemoryBytes, long forgottenSpans) {

  /**
   * Usage of a store that forgets no flushed span of an active trace.
   *
   * @param segments buffered segments (with open or sealed spans)
   * @param spans buffered spans
   * @param bytes their original bytes
   * @param usedMemoryBytes memory the store uses, as the store measures it
   * @param maxMemoryBytes the store's memory limit, or 0 when it has none
   */
  public StoreUsage(long segments, long spans, long bytes, long usedMemoryBytes, long maxMemoryBytes) {
    this(segments, spans, bytes, usedMemoryBytes, maxMemoryBytes, 0);
  }

  /** {@return used memory over the limit, from 0 to 1 (or more), or 0 when there is no limit} */
  public double memoryFraction() {
    return maxMemoryBytes <= 0 ? 0 : (double) usedMemoryBytes / maxMemoryBytes;
  }
}
