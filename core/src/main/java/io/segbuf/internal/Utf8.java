package io.segbuf.internal;

/** Strict UTF-8 validation: no overlong forms, no surrogates, nothing above U+10FFFF. */
public final class Utf8 {
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /** The offset of the first byte in {@code [from, to)} that starts no valid sequence, or -1 when all are valid. */
  public static int firstInvalid(byte[] bytes, int from, int to) {
    int i = from;
    while (true) {
      // Skip ASCII eight bytes at a time, and jump straight to the first byte above 0x7f: text with a
      // multi-byte character every few dozen bytes would otherwise fall back to one byte at a time.
      while (i <= to - 8) {
        long high = (long) LONGS.get(bytes, i) & HIGH_BITS;
        if (high != 0) {
          i += Long.numberOfTrailingZeros(high) >>> 3;
          break;
        }
        i += 8;
      }
      if (i >= to) {
        return -1;
      }
      if (bytes[i] >= 0) {
        i++;
        continue;
      }
      int length = sequenceLength(bytes, i, to);
      if (length < 0) {
        return i;
      }
      i += length;
    }
  }

  /**
   * The length (2 to 4) of the valid multi-byte sequence that starts at {@code i}, or -1 when the bytes from
   * {@code i} (up to {@code end}) do not start one. The byte at {@code i} is above 0x7f.
   */
  public static int sequenceLength(byte[] bytes, int i, int end) {
    int b = bytes[i] & 0xff;
    if (b < 0xc2) {
      return -1; // a continuation byte, or an overlong two-byte lead
    }
    if (b < 0xe0) {
      return i + 1 < end && continuation(bytes[i + 1]) ? 2 : -1;
    }
    if (b < 0xf0) {
      // the second byte's range rules out overlong forms (E0) and surrogates (ED)
      int lo = b == 0xe0 ? 0xa0 : 0x80;
      int hi = b == 0xed ? 0x9f : 0xbf;
      return i + 2 < end && inRange(bytes[i + 1], lo, hi) && continuation(bytes[i + 2]) ? 3 : -1;
    }
    if (b < 0xf5) {
      // F0 must not be overlong, F4 must not pass U+10FFFF
      int lo = b == 0xf0 ? 0x90 : 0x80;
      int hi = b == 0xf4 ? 0x8f : 0xbf;
      return i + 3 < end && inRange(bytes[i + 1], lo, hi) && continuation(bytes[i + 2])
              && continuation(bytes[i + 3])
          ? 4
          : -1;
    }
    return -1;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  private static boolean inRange(byte b, int lo, int hi) {
    int v = b & 0xff;
    return v >= lo && v <= hi;
  }
}
