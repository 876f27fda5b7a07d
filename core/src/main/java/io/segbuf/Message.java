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

  /**
   * A message; {@code value} is kept, not copied.
   *
   * @param segment the segment the message is of
   * @param generation the segment generation
   * @param chunkIndex the chunk's position, from 0
   * @param chunkCount how many chunks the generation was flushed in, 1 when it fits one message
   * @param skipEnrichment whether the value says {@code "skip_enrichment":true}
   * @param flushId the value's {@code flush_id}
   * @param spanCount how many spans the value holds
   * @param value the encoded message
   * @throws IllegalArgumentException when {@code chunkIndex} is not in [0, {@code chunkCount})
   */
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

  /** {@return the segment the message is of} */
  public SegmentKey segment() {
    return segment;
  }

  /** {@return the segment generation: 0 for the first flush, higher for continuations} */
  public int generation() {
    return generation;
  }

  /** {@return the chunk's position among the generation's messages, from 0} */
  public int chunkIndex() {
    return chunkIndex;
  }

  /** {@return how many messages the generation was flushed in} */
  public int chunkCount() {
    return chunkCount;
  }

  /** {@return whether the message says {@code "skip_enrichment":true}: its segment was, or is, flushed in chunks} */
  public boolean skipEnrichment() {
    return skipEnrichment;
  }

  /**
   * 32 lowercase hex digits, a digest of the project, the trace and every other byte of {@link #value()}: one flush
   * id names one byte string (see {@link Chunker#flushId} for the derivation).
   *
   * @return the flush id
   */
  public String flushId() {
    return flushId;
  }

  /** {@return how many spans the value holds} */
  public int spanCount() {
    return spanCount;
  }

  /** {@return the message value: {@code {"flush_id":…,"segment_id":…,…,"spans":[…]}}. Not a copy} */
  public byte[] value() {
    return value;
  }

  @Override
  public String toString() {
    return "Message{" + segment + ", generation=" + generation + ", chunk=" + chunkIndex + "/" + chunkCount
        + ", spans=" + spanCount + ", bytes=" + value.length + (skipEnrichment ? ", skip_enrichment" : "") + "}";
  }
}
