package io.segbuf;

import io.segbuf.internal.Hex;

/**
 * A 128-bit trace id, written as 32 lowercase hex digits. Any value is valid, all zeros included.
 *
 * @param high the first 16 hex digits
 * @param low the last 16 hex digits
 */
public record TraceId(long high, long low) implements Comparable<TraceId> {

  /** Parses 32 lowercase hex digits. */
  public static TraceId parse(String hex) {
    if (hex.length() != 32 || !Hex.isLowerHex(hex)) {
      throw new IllegalArgumentException("trace id must be 32 lowercase hex digits but was \"" + hex + "\"");
    }
    return new TraceId(Hex.parseLong(hex, 0), Hex.parseLong(hex, 16));
  }

  /** The 32 lowercase hex digits. */
  public String toHex() {
    return Hex.toHex(high) + Hex.toHex(low);
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
