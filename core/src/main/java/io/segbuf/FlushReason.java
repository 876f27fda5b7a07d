package io.segbuf;

/** Why a segment was flushed. */
public enum FlushReason {
  /** The root has arrived and no span joined the segment for {@link FlushPolicy#rootTimeout()}. */
  ROOT_TIMEOUT,
  /** The root has not arrived and no span joined the segment for {@link FlushPolicy#timeout()}. */
  IDLE_TIMEOUT,
  /** The segment has been buffered for {@link FlushPolicy#maxLifetime()}. */
  MAX_LIFETIME,
  /** The segment's buffered bytes reached {@link FlushPolicy#maxSegmentBytes()}. */
  SIZE,
  /** The buffer held more than its byte limit, and this was among the oldest segments. */
  BUFFER_FULL,
  /** The buffer was drained on shutdown. */
  SHUTDOWN
}
