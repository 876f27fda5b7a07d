package io.segbuf;

import java.util.Map;

/**
 * A snapshot of a {@link SpanBuffer}'s gauges and counters (docs/design.md §6), for logs and metrics binders. Counters
 * count since the buffer was created.
 *
 * @param bufferedSegments segments the store holds now
 * @param bufferedSpans spans the store holds now
 * @param bufferedBytes their bytes
 * @param offeredSpans spans offered
 * @param duplicateSpans offered spans that were byte-identical copies
 * @param invalidSpans offered spans that could not be parsed, by reason
 * @param flushedSegments segment generations completed
 * @param flushedMessages messages acknowledged
 * @param flushedSpans spans in acknowledged messages
 * @param flushedMessageBytes bytes of acknowledged messages
 * @param largestMessageBytes the largest message encoded
 * @param chunkedSegments segment generations flushed in more than one message
 * @param oversizedSpans spans larger than the message budget, each sent alone
 * @param continuations segment generations after the first
 * @param rejectedMessages messages the sink refused for good
 * @param rejectedSpans spans in them
 * @param sendFailures retriable send failures (the segment was flushed again later)
 * @param failedSegments failed attempts to seal, read, encode or complete one segment (it was backed off alone
 *     and tried again later)
 * @param flushReasons completed segment generations, by why they were flushed
 */
public record BufferStats(
    long bufferedSegments,
    long bufferedSpans,
    long bufferedBytes,
    long offeredSpans,
    long duplicateSpans,
    Map<InvalidReason, Long> invalidSpans,
    long flushedSegments,
    long flushedMessages,
    long flushedSpans,
    long flushedMessageBytes,
    long largestMessageBytes,
    long chunkedSegments,
    long oversizedSpans,
    long continuations,
    long rejectedMessages,
    long rejectedSpans,
    long sendFailures,
    long failedSegments,
    Map<FlushReason, Long> flushReasons) {

  /**
   * Copies the maps.
   *
   * @param bufferedSegments segments the store holds now
   * @param bufferedSpans spans the store holds now
   * @param bufferedBytes their bytes
   * @param offeredSpans spans offered
   * @param duplicateSpans offered spans that were byte-identical copies
   * @param invalidSpans offered spans that could not be parsed, by reason
   * @param flushedSegments segment generations completed
   * @param flushedMessages messages acknowledged
   * @param flushedSpans spans in acknowledged messages
   * @param flushedMessageBytes bytes of acknowledged messages
   * @param largestMessageBytes the largest message encoded
   * @param chunkedSegments segment generations flushed in more than one message
   * @param oversizedSpans spans larger than the message budget, each sent alone
   * @param continuations segment generations after the first
   * @param rejectedMessages messages the sink refused for good
   * @param rejectedSpans spans in them
   * @param sendFailures retriable send failures (the segment was flushed again later)
   * @param failedSegments failed attempts to seal, read, encode or complete one segment (it was backed off alone and
   *     tried again later)
   * @param flushReasons completed segment generations, by why they were flushed
   */
  public BufferStats {
    invalidSpans = Map.copyOf(invalidSpans);
    flushReasons = Map.copyOf(flushReasons);
  }

  /** {@return all invalid spans, whatever the reason} */
  public long invalidTotal() {
    return invalidSpans.values().stream().mapToLong(Long::longValue).sum();
  }
}
