package io.segbuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One {@code buffered-segments} message: a whole segment generation, or one chunk of it. Immutable and
 * thread-safe; {@link #value()} is not copied and must not be modified.
 *
 * <p>A {@link Chunker}'s messages are encoded on demand: the bytes (and the flush id, a digest of them) are made
 * once, by the first thread that asks for {@link #value()} or {@link #flushId()}. Everything else, {@link #size()}
 * included, is known before. So a sink that hands messages to a thread of its own moves their encoding there too.
 */
public final class Message {
  /** Where the flush id's 32 digits start in a value: after {@code {"flush_id":"}. */
  private static final int FLUSH_ID_START = 13;
  private static final int FLUSH_ID_LENGTH = 32;

  private final SegmentKey segment;
  private final int generation;
  private final int chunkIndex;
  private final int chunkCount;
  private final boolean skipEnrichment;
  private final int spanCount;
  private final int size;
  /** Null until encoded. */
  private volatile byte @Nullable [] value;
  /** Null once encoded. */
  private @Nullable Supplier<byte[]> encoder;
  private volatile @Nullable String flushId;

  /**
   * A message already encoded; {@code value} holds {@code flushId} and is kept, not copied.
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
    this(segment, generation, chunkIndex, chunkCount, skipEnrichment, spanCount, value.length);
    this.flushId = flushId;
    this.value = value;
  }

  /**
   * A message encoded on demand: {@code encoder} makes its value, of exactly {@code size} bytes starting {@code
   * {"flush_id":"<32 hex digits>",…}}, when {@link #value()} or {@link #flushId()} is first called, on that thread.
   * The message keeps {@code encoder} (and what it holds) until then.
   *
   * @param segment the segment the message is of
   * @param generation the segment generation
   * @param chunkIndex the chunk's position, from 0
   * @param chunkCount how many chunks the generation was flushed in, 1 when it fits one message
   * @param skipEnrichment whether the value says {@code "skip_enrichment":true}
   * @param spanCount how many spans the value holds
   * @param size the value's length in bytes
   * @param encoder makes the value, once
   * @throws IllegalArgumentException when {@code chunkIndex} is not in [0, {@code chunkCount})
   */
  public Message(
      SegmentKey segment,
      int generation,
      int chunkIndex,
      int chunkCount,
      boolean skipEnrichment,
      int spanCount,
      int size,
      Supplier<byte[]> encoder) {
    this(segment, generation, chunkIndex, chunkCount, skipEnrichment, spanCount, size);
    this.encoder = encoder;
  }

  private Message(SegmentKey segment, int generation, int chunkIndex, int chunkCount, boolean skipEnrichment,
      int spanCount, int size) {
    if (chunkIndex < 0 || chunkIndex >= chunkCount) {
      throw new IllegalArgumentException(
          "chunkIndex must be in [0, chunkCount) but was " + chunkIndex + " of " + chunkCount);
    }
    this.segment = segment;
    this.generation = generation;
    this.chunkIndex = chunkIndex;
    this.chunkCount = chunkCount;
    this.skipEnrichment = skipEnrichment;
    this.spanCount = spanCount;
    this.size = size;
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
    String id = flushId;
    if (id == null) {
      id = new String(value(), FLUSH_ID_START, FLUSH_ID_LENGTH, StandardCharsets.US_ASCII);
      flushId = id;
    }
    return id;
  }

  /** {@return how many spans the value holds} */
  public int spanCount() {
    return spanCount;
  }

  /** {@return the length of {@link #value()} in bytes, known without encoding it} */
  public int size() {
    return size;
  }

  /**
   * The message value: {@code {"flush_id":…,"segment_id":…,…,"spans":[…]}}. Not a copy. Encoded by the first
   * call.
   *
   * @return the value
   * @throws IllegalStateException when the encoder made a value of another size than {@link #size()}
   */
  public byte[] value() {
    byte[] v = value;
    return v != null ? v : encode();
  }

  private synchronized byte[] encode() {
    byte[] v = value;
    if (v == null) {
      // one of the two is set by every constructor; the encoder goes once the value is there
      v = Objects.requireNonNull(encoder).get();
      if (v.length != size) {
        throw new IllegalStateException("message value must be " + size + " bytes but was " + v.length);
      }
      value = v;
      encoder = null; // lets go of the spans
    }
    return v;
  }

  @Override
  public String toString() {
    return "Message{" + segment + ", generation=" + generation + ", chunk=" + chunkIndex + "/" + chunkCount
        + ", spans=" + spanCount + ", bytes=" + size + (skipEnrichment ? ", skip_enrichment" : "") + "}";
  }
}
