package io.segbuf;

import java.util.List;

/**
 * The messages a {@link Chunker} made of one segment generation.
 *
 * @param messages at least one, in chunk order; every span of the segment is in exactly one
 * @param chunked true when the segment did not fit one message and was split in chunks (then every message says
 *     {@code skip_enrichment})
 * @param oversizedSpans how many messages hold one span that alone exceeds the budget (such a message is over
 *     {@code maxMessageBytes}; a sink may refuse it)
 */
public record ChunkResult(List<Message> messages, boolean chunked, int oversizedSpans) {

  /**
   * Copies {@code messages}; checks that there is at least one.
   *
   * @param messages at least one, in chunk order; every span of the segment is in exactly one
   * @param chunked true when the segment did not fit one message and was split in chunks (then every message says
   *     {@code skip_enrichment})
   * @param oversizedSpans how many messages hold one span that alone exceeds the budget (such a message is over {@code
   *     maxMessageBytes}; a sink may refuse it)
   */
  public ChunkResult {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty but was []");
    }
    messages = List.copyOf(messages);
  }

  /**
   * {@return whether the messages say {@code skip_enrichment}}: this generation was chunked, or an earlier one was.
   * The segment's later generations must say it too ({@link Segment#skipEnrichment()}).
   */
  public boolean skipEnrichment() {
    return messages.get(0).skipEnrichment();
  }
}
