package io.segbuf;

import java.util.List;

/**
 * What {@link SpanBuffer#offer} did with each span of a batch.
 *
 * @param outcomes one per offered span, in the same order: {@link Outcome#BUFFERED}, {@link Outcome#DUPLICATE}
 *     or an {@link Outcome.Invalid}
 * @param buffered how many were stored
 * @param duplicates how many were byte-identical copies of known spans
 * @param invalid how many could not be parsed
 */
public record OfferResult(List<Outcome> outcomes, int buffered, int duplicates, int invalid) {

  /**
   * Copies the outcomes.
   *
   * @param outcomes one per offered span, in the same order: {@link Outcome#BUFFERED}, {@link Outcome#DUPLICATE} or an
   *     {@link Outcome.Invalid}
   * @param buffered how many were stored
   * @param duplicates how many were byte-identical copies of known spans
   * @param invalid how many could not be parsed
   */
  public OfferResult {
    outcomes = List.copyOf(outcomes);
  }
}
