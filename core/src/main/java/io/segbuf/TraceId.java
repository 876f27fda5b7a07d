package io.segbuf;

import io.segbuf.internal.Hex;
import io.segbuf.internal.IdHash;
import org.jspecify.annotations.Nullable;

/**
 * A 128-bit trace id, written as 32 lowercase hex digits. Any value is valid, all zeros included. Its hash code is
 * seeded per process and fully mixed, so that chosen trace ids cannot share a hash table's bin (it differs between
 * processes; never store it).
 *
 * @param high the first 16 hex digits
 * @param low the last 16 hex digits
 */
public record TraceId(long high, long low) implements Comparable<TraceId> {

  /**
   * Parses 32 lowercase hex digits.
   *
   * @param hex the trace id as {@code trace_id} writes it
   * @return the trace id
   */
  public static TraceId parse(String hex) {
    if (hex.length() != 32 || !Hex.isLowerHex(hex)) {
      throw new IllegalArgumentException("trace id must be 32 lowercase hex digits but was \"" + hex + "\"");
    }
    return new TraceId(Hex.parseLong(hex, 0), Hex.parseLong(hex, 16));
  }

  /** {@return the 32 lowercase hex digits} */
  public String toHex() {
    return Hex.toHex(high) + Hex.toHex(low);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TraceId t && t.high == high && t.low == low;
  }

  @Override
  public int hashCode() {
    return IdHash.fold(IdHash.of(high, low));
  }

  @Override
  public int compareTo(TraceId other) {
    int c = Long.compareUnsigned(high, other.high);
    return c != 0 ? c : Long.compareUnsigned(low, other.low);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
