package io.segbuf;

import java.util.List;

/**
 * What one {@link SpanBuffer#flush} or {@link SpanBuffer#drain} did.
 *
 * @param segments segment generations completed (every message acknowledged or refused for good)
 * @param messages messages acknowledged
 * @param spans spans in acknowledged messages
 * @param rejected messages the sink refused for good, with their spans
 * @param retries segment generations left sealed after a retriable send failure; they are flushed again later
 */
public record FlushResult(int segments, int messages, long spans, List<Outcome.Rejected> rejected, int retries) {

  public static final FlushResult EMPTY = new FlushResult(0, 0, 0, List.of(), 0);

  public FlushResult {
    rejected = List.copyOf(rejected);
  }

  /** Both results together. */
  public FlushResult plus(FlushResult other) {
    List<Outcome.Rejected> all = new java.util.ArrayList<>(rejected);
    all.addAll(other.rejected);
    return new FlushResult(segments + other.segments, messages + other.messages, spans + other.spans, all,
        retries + other.retries);
  }
}
