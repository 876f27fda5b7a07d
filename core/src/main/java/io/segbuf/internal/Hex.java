package io.segbuf.internal;

/** Lowercase hex for span and trace ids: 16 digits to a {@code long}, and back. */
public final class Hex {
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Digit values by ASCII code, -1 for anything but a lowercase hex digit. */
  private static final byte[] VALUES = values();

  private Hex() {}

  /** The value of a lowercase hex digit, or -1 for any other character. */
  public static int digit(int c) {
    // A table, not range tests: ids are random digits, so a branch between 0-9 and a-f mispredicts half the time.
    return (c & ~0x7f) == 0 ? VALUES[c] : -1;
  }

  public static boolean isLowerHex(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (digit(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Parses 16 lowercase hex digits of {@code s} from {@code start}; the caller has checked them. */
  public static long parseLong(CharSequence s, int start) {
    long v = 0;
    for (int i = start; i < start + 16; i++) {
      v = (v << 4) | digit(s.charAt(i));
    }
    return v;
  }

  /**
   * Parses {@code len} (16 or 32) bytes at {@code off} as lowercase hex into {@code out[0]} (and {@code out[1]}
   * for 32). Returns false when any byte is not a lowercase hex digit; {@code out} then holds no meaningful value.
   */
  public static boolean parse(byte[] bytes, int off, int len, long[] out) {
    int any = 0; // ORs every digit: negative when one of them is not a digit
    for (int word = 0; word < len / 16; word++) {
      long v = 0;
      for (int i = off + word * 16, end = i + 16; i < end; i++) {
        int d = digit(bytes[i] & 0xff);
        any |= d;
        v = (v << 4) | d;
      }
      out[word] = v;
    }
    return any >= 0;
  }

  private static byte[] values() {
    byte[] values = new byte[128];
    java.util.Arrays.fill(values, (byte) -1);
    for (int d = 0; d < DIGITS.length; d++) {
      values[DIGITS[d]] = (byte) d;
    }
    return values;
  }

  public static String toHex(long value) {
    byte[] out = new byte[16];
    write(value, out, 0);
    return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Writes 16 lowercase hex digits of {@code value} into {@code out} at {@code pos}. */
  public static void write(long value, byte[] out, int pos) {
    for (int i = 15; i >= 0; i--) {
      out[pos + i] = DIGITS[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  /** Writes the bytes as lowercase hex, two digits each, into {@code out} at {@code pos}. */
  public static void write(byte[] bytes, byte[] out, int pos) {
    for (int i = 0; i < bytes.length; i++) {
      out[pos + 2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[pos + 2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
  }
}
