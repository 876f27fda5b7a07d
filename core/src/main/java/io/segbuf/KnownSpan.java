package io.segbuf;

import io.segbuf.internal.Digest;

/**
 * A span known by the fields assembly reads, without its payload: what a {@link SegmentReplica} needs to replay
 * a span that was flushed and whose bytes are gone.
 *
 * @param digest a 64-bit digest of the span's bytes ({@link #of}), to recognise redeliveries
 * @param length the span's size in bytes
 */
public record KnownSpan(long spanId, boolean root, boolean explicit, long explicitSegmentId, long parentSpanId,
    long digest, int length) {

  public static KnownSpan of(Span span) {
    return new KnownSpan(span.spanId(), span.isRoot(), span.hasExplicitSegmentId(), span.explicitSegmentId(),
        span.parentSpanId(), Digest.of(span.bytes()), span.size());
  }
}
