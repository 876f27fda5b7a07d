package io.segbuf.spi;

import java.util.BitSet;

/** Which spans of a {@link SegmentStore#add} call were duplicates and so not stored. */
public final class AddResult {
  private final BitSet duplicates;

  /**
   * A result; {@code duplicates} is copied.
   *
   * @param duplicates the positions, in the added list, of the spans that were duplicates
   */
  public AddResult(BitSet duplicates) {
    this.duplicates = (BitSet) duplicates.clone();
  }

  /**
   * {@return true when the span at {@code index} of the added list was a byte-identical copy of a known span}
   *
   * @param index a position in the added list
   */
  public boolean isDuplicate(int index) {
    return duplicates.get(index);
  }

  /** {@return how many spans were duplicates} */
  public int duplicateCount() {
    return duplicates.cardinality();
  }

  @Override
  public String toString() {
    return "AddResult{duplicates=" + duplicates + "}";
  }
}
