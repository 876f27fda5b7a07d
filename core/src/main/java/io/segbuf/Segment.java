package io.segbuf;

import io.segbuf.internal.SegmentOrder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One generation of a segment, ready for a {@link Chunker}: its key, its generation, whether it must say {@code
 * skip_enrichment}, and its spans in flush order (depth-first from the root, siblings by span id; trees whose
 * parent is missing after the root's, by span id). The order depends only on the set of spans,
 * not on the order they are given in.
 *
 * <p>Immutable and thread-safe. It keeps the {@link Span}s it is given (and so their byte arrays): callers must
 * not change those arrays afterwards.
 */
public final class Segment {
  private final SegmentKey key;
  private final int generation;
  private final boolean skipEnrichment;
  private final SegmentOrder order;

  private Segment(SegmentKey key, int generation, boolean skipEnrichment, SegmentOrder order) {
    this.key = key;
    this.generation = generation;
    this.skipEnrichment = skipEnrichment;
    this.order = order;
  }

  /**
   * A segment generation of parsed spans.
   *
   * @param key the segment; every span must be of its project and trace
   * @param generation 0 for the first flush of the segment, higher for the spans that arrived after it (its
   *     continuations)
   * @param skipEnrichment an earlier generation was flushed in chunks, so every message of this one says {@code
   *     skip_enrichment} even when it fits one message
   * @param spans at least one, in any order
   * @return the segment generation, its spans in flush order
   * @throws IllegalArgumentException when {@code spans} is empty, {@code generation} is negative or a span is of
   *     another project or trace
   */
  public static Segment of(SegmentKey key, int generation, boolean skipEnrichment, List<Span> spans) {
    requireGeneration(generation);
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("spans must not be empty but was [] for " + key);
    }
    TraceId trace = key.traceId();
    for (Span span : spans) {
      if (span.projectId() != key.projectId() || span.traceIdHigh() != trace.high()
          || span.traceIdLow() != trace.low()) {
        throw new IllegalArgumentException(
            "spans must be of the segment's project and trace " + key + " but was " + span);
      }
    }
    return new Segment(key, generation, skipEnrichment, SegmentOrder.of(spans, key.segmentId()));
  }

  /**
   * A segment generation of raw span JSON, each parsed with {@link Span#parse(byte[])}. An invalid span is
   * reported in {@link Parsed#results()}, never thrown; the valid ones form the segment.
   *
   * @param key the segment; every valid span must be of its project and trace
   * @param generation 0 for the first flush of the segment, higher for its continuations
   * @param skipEnrichment an earlier generation was flushed in chunks
   * @param spans each one span's JSON in UTF-8; the segment keeps the arrays of the valid ones
   * @return each span's parse result, and the segment of the valid ones
   * @throws IllegalArgumentException when {@code generation} is negative or a valid span is of another project or
   *     trace
   * @see #of(SegmentKey, int, boolean, List)
   */
  public static Parsed parse(SegmentKey key, int generation, boolean skipEnrichment, List<byte[]> spans) {
    requireGeneration(generation);
    List<ParseResult> results = new ArrayList<>(spans.size());
    List<Span> valid = new ArrayList<>(spans.size());
    for (byte[] json : spans) {
      ParseResult result = Span.parse(json);
      results.add(result);
      if (result instanceof Span span) {
        valid.add(span);
      }
    }
    return new Parsed(results, valid.isEmpty() ? null : of(key, generation, skipEnrichment, valid));
  }

  private static void requireGeneration(int generation) {
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be >= 0 but was " + generation);
    }
  }

  /** {@return the segment: its project, trace and segment id} */
  public SegmentKey key() {
    return key;
  }

  /** {@return 0 for the first flush of the segment, higher for its continuations} */
  public int generation() {
    return generation;
  }

  /**
   * {@return whether an earlier generation was flushed in chunks} Then this one says {@code skip_enrichment} too.
   */
  public boolean skipEnrichment() {
    return skipEnrichment;
  }

  /** {@return the spans in flush order, unpatched; an unmodifiable view} */
  public List<Span> spans() {
    return order.spans();
  }

  /** The order the chunker reads: the spans with where each subtree ends. */
  SegmentOrder order() {
    return order;
  }

  @Override
  public String toString() {
    return "Segment{" + key + ", generation=" + generation + ", spans=" + order.size()
        + (skipEnrichment ? ", skip_enrichment" : "") + "}";
  }

  /**
   * What {@link #parse} made of raw spans.
   *
   * @param results one per input span, in the same order: the parsed {@link Span}, or the {@link Outcome.Invalid}
   *     that says what is wrong with it
   * @param segment the segment of the valid spans, or null when none was valid
   */
  public record Parsed(List<ParseResult> results, @Nullable Segment segment) {

    /**
     * Copies {@code results}.
     *
     * @param results one per input span, in the same order: the parsed {@link Span}, or the {@link Outcome.Invalid}
     *     that says what is wrong with it
     * @param segment the segment of the valid spans, or null when none was valid
     */
    public Parsed {
      results = List.copyOf(results);
    }
  }
}
