package io.segbuf.spi;

/**
 * A sealed generation to complete, with how it was flushed: the arguments of {@link
 * SegmentStore#complete(SealedSegment, boolean)}, for {@link SegmentStore#complete(java.util.List)}.
 *
 * @param segment a generation {@link SegmentStore#seal} returned
 * @param chunked whether it was flushed in chunks: its continuations keep {@code skip_enrichment}
 */
public record Completion(SealedSegment segment, boolean chunked) {}
