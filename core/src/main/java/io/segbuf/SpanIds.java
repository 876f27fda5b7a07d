package io.segbuf;

import io.segbuf.internal.Hex;

/** Span ids (64 bits) as the 16 lowercase hex digits they are written with, for keys, logs and tests. */
public final class SpanIds {
  private SpanIds() {}

  /** The 16 lowercase hex digits of a span id. */
  public static String toHex(long spanId) {
    return Hex.toHex(spanId);
  }

  /** Writes the 16 lowercase hex digits of a span id into {@code out} at {@code pos}. */
  public static void writeHex(long spanId, byte[] out, int pos) {
    Hex.write(spanId, out, pos);
  }
}
