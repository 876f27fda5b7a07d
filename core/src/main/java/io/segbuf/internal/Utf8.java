package io.segbuf.internal;

/** Strict UTF-8 validation: no overlong forms, no surrogates, nothing above U+10FFFF. */
public final class Utf8 {
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /** The offset of the first byte that starts an invalid sequence, or -1 when all of {@code bytes} is valid. */
  public static int firstInvalid(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (true) {
      // Skip ASCII eight bytes at a time, and jump straight to the first byte above 0x7f: text with a
      // multi-byte character every few dozen bytes would otherwise fall back to one byte at a time.
      while (i <= n - 8) {
        long high = (long) LONGS.get(bytes, i) & HIGH_BITS;
        if (high != 0) {
          i += Long.numberOfTrailingZeros(high) >>> 3;
          break;
        }
        i += 8;
      }
      if (i >= n) {
        return -1;
      }
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        i++;
      } else if (b < 0xc2) {
        return i; // a continuation byte, or an overlong two-byte lead
      } else if (b < 0xe0) {
        if (i + 1 >= n || !continuation(bytes[i + 1])) {
          return i;
        }
        i += 2;
      } else if (b < 0xf0) {
        // the second byte's range rules out overlong forms (E0) and surrogates (ED)
        int lo = b == 0xe0 ? 0xa0 : 0x80;
        int hi = b == 0xed ? 0x9f : 0xbf;
        if (i + 2 >= n || !inRange(bytes[i + 1], lo, hi) || !continuation(bytes[i + 2])) {
          return i;
        }
        i += 3;
      } else if (b < 0xf5) {
        // F0 must not be overlong, F4 must not pass U+10FFFF
        int lo = b == 0xf0 ? 0x90 : 0x80;
        int hi = b == 0xf4 ? 0x8f : 0xbf;
        if (i + 3 >= n || !inRange(bytes[i + 1], lo, hi) || !continuation(bytes[i + 2])
            || !continuation(bytes[i + 3])) {
          return i;
        }
        i += 4;
      } else {
        return i;
      }
    }
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  private static boolean inRange(byte b, int lo, int hi) {
    int v = b & 0xff;
    return v >= lo && v <= hi;
  }
}
