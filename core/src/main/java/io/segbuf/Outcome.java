package io.segbuf;

import io.segbuf.internal.ControlCharacters;

/**
 * What became of a span. Every span offered to a {@link SpanBuffer} ends in exactly one of {@link Flushed},
 * {@link Duplicate}, {@link Invalid} or {@link Rejected}; {@link Buffered} is the interim answer of an offer.
 */
public sealed interface Outcome
    permits Outcome.Buffered, Outcome.Duplicate, Outcome.Invalid, Outcome.Flushed, Outcome.Rejected {

  /** The one {@link Buffered} value. */
  Buffered BUFFERED = new Buffered();

  /** The one {@link Duplicate} value. */
  Duplicate DUPLICATE = new Duplicate();

  /** The span is held by the store and will be flushed. */
  record Buffered() implements Outcome {}

  /** A byte-identical copy of the span was already buffered or recently flushed; this copy is not stored. */
  record Duplicate() implements Outcome {}

  /**
   * The span could not be parsed; it is not stored.
   *
   * @param reason the rule it broke
   * @param detail a message naming the field and, where useful, the offending value (shortened); control and
   *     format characters from the input are escaped (as {@code \n} or {@code \}{@code u001b}), so the detail is
   *     safe to write to a log, a terminal or a header
   */
  record Invalid(InvalidReason reason, String detail) implements Outcome, ParseResult {
    /**
     * Escapes the control and format characters of {@code detail}.
     *
     * @param reason the rule it broke
     * @param detail a message naming the field and, where useful, the offending value (shortened); control and format
     *     characters from the input are escaped (as {@code \n} or {@code \}{@code u001b}), so the detail is safe to
     *     write to a log, a terminal or a header
     */
    public Invalid {
      detail = ControlCharacters.escape(detail);
    }
  }

  /**
   * The spans of one message were acknowledged by the sink.
   *
   * @param segment the segment
   * @param generation the segment's flush generation
   * @param spans how many spans the message held
   */
  record Flushed(SegmentKey segment, int generation, int spans) implements Outcome {}

  /**
   * The sink refused a message for good (for example: too large for the broker); its spans are not retried.
   *
   * @param segment the segment
   * @param generation the segment's flush generation
   * @param chunkIndex the refused message's chunk index
   * @param spans how many spans the message held
   * @param reason the sink's reason
   */
  record Rejected(SegmentKey segment, int generation, int chunkIndex, int spans, String reason)
      implements Outcome {}
}
