package io.segbuf;

/**
 * One {@code buffered-segments} message: a whole segment generation, or one chunk of it. Immutable; {@link
 * #value()} is not copied and must not be modified.
 */
public final class Message {
  private final SegmentKey segment;
  private final int generation;
  private final int chunkIndex;
  private final int chunkCount;
  private final boolean skipEnrichment;
  private final String flushId;
  private final int spanCount;
  private final byte[] value;

  public Message(
      SegmentKey segment,
      int generation,
      int chunkIndex,
      int chunkCount,
      boolean skipEnrichment,
      String flushId,
      int spanCount,
      byte[] value) {
    if (chunkIndex < 0 || chunkIndex >= chunkCount) {
      throw new IllegalArgumentException(
          "chunkIndex must be in [0, chunkCount) but was " + chunkIndex + " of " + chunkCount);
    }
    this.segment = segment;
    this.generation = generation;
    this.chunkIndex = chunkIndex;
    this.chunkCount = chunkCount;
    this.skipEnrichment = skipEnrichment;
    this.flushId = flushId;
    this.spanCount = spanCount;
    this.value = value;
  }

  public SegmentKey segment() {
    return segment;
  }

  public int generation() {
    return generation;
  }

  public int chunkIndex() {
    return chunkIndex;
  }

  public int chunkCount() {
    return chunkCount;
  }

  /** Whether the message says {@code "skip_enrichment":true}: its segment was, or is, flushed in chunks. */
  public boolean skipEnrichment() {
    return skipEnrichment;
  }

  /**
   * 32 lowercase hex digits, a digest of the project, the trace and every other byte of {@link #value()}: one flush
   * id names one byte string (see {@link Chunker#flushId} for the derivation).
   */
  public String flushId() {
    return flushId;
  }

  public int spanCount() {
    return spanCount;
  }

  /** The message value: {@code {"flush_id":…,"segment_id":…,…,"spans":[…]}}. Not a copy. */
  public byte[] value() {
    return value;
  }

  @Override
  public String toString() {
    return "Message{" + segment + ", generation=" + generation + ", chunk=" + chunkIndex + "/" + chunkCount
        + ", spans=" + spanCount + ", bytes=" + value.length + (skipEnrichment ? ", skip_enrichment" : "") + "}";
  }
}
