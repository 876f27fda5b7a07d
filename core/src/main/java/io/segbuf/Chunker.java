package io.segbuf;

import io.segbuf.internal.ChunkPlan;
import io.segbuf.internal.ChunkPlanner;
import io.segbuf.internal.MessageEncoder;
import java.util.List;

/**
 * Turns a {@link Segment} into {@code buffered-segments} messages under an exact byte budget: one message when the
 * whole segment fits {@code maxMessageBytes}, envelope included; otherwise chunks of at most {@code
 * maxMessageBytes} each, all marked {@code skip_enrichment}, split by the {@link ChunkingStrategy}. A span too
 * large for the budget goes alone in its own chunk (counted in {@link ChunkResult#oversizedSpans()}). Each
 * message's {@code flush_id} follows {@link #flushId}, so the same segment always gives the same bytes and ids.
 * The message format: docs/buffered-segments.md in the repository.
 *
 * <p>Needs no store, sink or clock; {@link SpanBuffer} flushes through this class. Immutable and thread-safe.
 */
public final class Chunker {
  private final ChunkingStrategy strategy;
  private final int maxMessageBytes;
  private final ChunkPlanner planner;

  /**
   * A chunker with this strategy and budget.
   *
   * @param strategy how a segment that does not fit one message is split
   * @param maxMessageBytes the most bytes one message may have, envelope included; at least {@link
   *     SpanBufferConfig#MIN_MESSAGE_BYTES}
   * @throws ConfigException when {@code maxMessageBytes} is below {@link SpanBufferConfig#MIN_MESSAGE_BYTES}
   */
  public Chunker(ChunkingStrategy strategy, int maxMessageBytes) {
    if (maxMessageBytes < SpanBufferConfig.MIN_MESSAGE_BYTES) {
      throw new ConfigException(List.of(
          new ConfigProblem("maxMessageBytes", "be >= " + SpanBufferConfig.MIN_MESSAGE_BYTES, maxMessageBytes)));
    }
    this.strategy = strategy;
    this.maxMessageBytes = maxMessageBytes;
    this.planner = new ChunkPlanner(strategy, maxMessageBytes);
  }

  /** {@return the strategy for segments that do not fit one message} */
  public ChunkingStrategy strategy() {
    return strategy;
  }

  /**
   * {@return the most bytes one message may have, envelope included} A message that holds one span that alone
   * exceeds it is larger.
   */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /**
   * The messages of one segment generation, in order: each span of the segment, patched ({@code is_segment} and
   * {@code attributes["sentry.segment.id"]}), in exactly one message. Every message's value is a new array that
   * the caller owns.
   *
   * @param segment the generation to chunk
   * @return its messages
   */
  public ChunkResult chunk(Segment segment) {
    SegmentKey key = segment.key();
    ChunkPlan plan = planner.plan(segment.order(), key.segmentId(), segment.generation(), segment.skipEnrichment());
    List<Message> messages = MessageEncoder.encode(key, segment.generation(), segment.order(), plan);
    return new ChunkResult(messages, plan.chunked(), plan.oversizedSpans());
  }

  /**
   * The {@code flush_id} of a message value: 32 lowercase hex digits, the first 128 bits of SHA-256 over {@code
   * "<project>:<trace hex>:"} followed by the value's bytes after the flush id's 32 digits (from the quote that
   * closes it to the end). A consumer can recompute it from the message to check it. One flush id names one byte
   * string: the value holds the segment id, generation, chunk index and count, {@code skip_enrichment} and every
   * span's bytes.
   *
   * @param key the message's segment (its project and trace enter the digest)
   * @param value a whole message value, as {@link Message#value()}; not changed
   * @return 32 lowercase hex digits
   */
  public static String flushId(SegmentKey key, byte[] value) {
    return MessageEncoder.flushId(key, value);
  }
}
