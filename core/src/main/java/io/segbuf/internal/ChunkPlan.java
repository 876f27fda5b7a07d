package io.segbuf.internal;

import java.util.List;

/**
 * How one segment generation is sent: its chunks in order, and whether its messages say {@code
 * skip_enrichment}.
 *
 * @param chunks at least one, covering every position once, in order
 * @param skipEnrichment true when split in chunks, or when an earlier generation was
 * @param chunked true when this generation did not fit one message
 * @param oversizedSpans chunks that hold one span too large for the budget
 */
public record ChunkPlan(List<Chunk> chunks, boolean skipEnrichment, boolean chunked, int oversizedSpans) {

  public ChunkPlan {
    chunks = List.copyOf(chunks);
  }
}
