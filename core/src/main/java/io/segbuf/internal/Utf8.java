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
      // Skip ASCII eight bytes at a time and jump straight to the first byte above 0x7f. Two- and three-byte
      // characters that lie whole in the word just read are checked there, in the register; the rest (four
      // bytes, a word's last two bytes, anything invalid) take the full check below.
      while (i <= to - 8) {
        long x = (long) LONGS.get(bytes, i);
        long high = x & HIGH_BITS;
        if (high == 0) {
          i += 8;
          continue;
        }
        int k = Long.numberOfTrailingZeros(high) >>> 3;
        i += k;
        if (k > 5) {
          break;
        }
        long w = x >>> (8 * k);
        if ((w & 0xc0e0L) == 0x80c0L && (w & 0x1eL) != 0) {
          i += 2; // 110xxxxx 10xxxxxx, not an overlong C0 or C1 lead
          continue;
        }
        if ((w & 0xc0c0f0L) == 0x8080e0L && validThreeBytes((int) w & 0xff, (int) (w >>> 8) & 0xff)) {
          i += 3; // 1110xxxx 10xxxxxx 10xxxxxx
          continue;
        }
        break;
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
      return i + 2 < end && continuation(bytes[i + 1]) && continuation(bytes[i + 2])
              && validThreeBytes(b, bytes[i + 1] & 0xff)
          ? 3
          : -1;
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

  /** A three-byte lead and its second byte: not an overlong form (E0 below A0), not a surrogate (ED from A0). */
  private static boolean validThreeBytes(int lead, int second) {
    return (lead != 0xe0 || second >= 0xa0) && (lead != 0xed || second < 0xa0);
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  private static boolean inRange(byte b, int lo, int hi) {
    int v = b & 0xff;
    return v >= lo && v <= hi;
  }
}
