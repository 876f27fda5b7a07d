package io.segbuf.redis.internal;

/** Span and trace ids as 16 lowercase hex digits. */
public final class Ids {
  private static final byte[] DIGITS = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  private Ids() {}

  public static String hex(long value) {
    byte[] out = new byte[16];
    write(value, out, 0);
    return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Writes 16 hex digits of {@code value} at {@code pos}. */
  public static void write(long value, byte[] out, int pos) {
    for (int i = 15; i >= 0; i--) {
      out[pos + i] = DIGITS[(int) (value & 0xf)];
      value >>>= 4;
    }
  }
}
