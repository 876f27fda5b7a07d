package io.segbuf;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link SpanBuffer#flush} or {@link SpanBuffer#drain} did.
 *
 * @param segments segment generations completed (every message acknowledged or refused for good)
 * @param messages messages acknowledged
 * @param spans spans in acknowledged messages
 * @param rejected messages the sink refused for good, with their spans
 * @param retries segment generations left sealed after a retriable send failure; they are flushed again later
 * @param failed segments whose seal, read or encoding threw: each is backed off alone and tried again later,
 *     while the rest of its shard flushes
 * @param completed the spans of the completed generations (flushed or refused for good), so that a caller can
 *     release what it holds for them by {@link Span#position()}; not copied, do not modify
 */
public record FlushResult(int segments, int messages, long spans, List<Outcome.Rejected> rejected, int retries,
    List<SegmentFailure> failed, List<Span> completed) {

  /** Nothing done. */
  public static final FlushResult EMPTY = new FlushResult(0, 0, 0, List.of(), 0, List.of(), List.of());

  /**
   * Copies {@code rejected} and {@code failed}.
   *
   * @param segments segment generations completed (every message acknowledged or refused for good)
   * @param messages messages acknowledged
   * @param spans spans in acknowledged messages
   * @param rejected messages the sink refused for good, with their spans
   * @param retries segment generations left sealed after a retriable send failure; they are flushed again later
   * @param failed segments whose seal, read or encoding threw: each is backed off alone and tried again later, while
   *     the rest of its shard flushes
   * @param completed the spans of the completed generations (flushed or refused for good), so that a caller can
   *     release what it holds for them by {@link Span#position()}; not copied, do not modify
   */
  public FlushResult {
    rejected = List.copyOf(rejected);
    failed = List.copyOf(failed);
  }

  /**
   * {@return both results together}
   *
   * @param other what a later flush did
   */
  public FlushResult plus(FlushResult other) {
    if (other == EMPTY) {
      return this;
    }
    if (this == EMPTY) {
      return other;
    }
    return new FlushResult(segments + other.segments, messages + other.messages, spans + other.spans,
        concat(rejected, other.rejected), retries + other.retries, concat(failed, other.failed),
        concat(completed, other.completed));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    List<T> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    return all;
  }
}
