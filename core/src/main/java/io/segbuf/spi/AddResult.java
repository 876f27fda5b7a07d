package io.segbuf.spi;

import java.util.BitSet;

/** Which spans of a {@link SegmentStore#add} call were duplicates and so not stored. */
public final class AddResult {
  private final BitSet duplicates;

  public AddResult(BitSet duplicates) {
    this.duplicates = (BitSet) duplicates.clone();
  }

  /** True when the span at {@code index} of the added list was a byte-identical copy of a known span. */
  public boolean isDuplicate(int index) {
    return duplicates.get(index);
  }

  public int duplicateCount() {
    return duplicates.cardinality();
  }

  @Override
  public String toString() {
    return "AddResult{duplicates=" + duplicates + "}";
  }
}
