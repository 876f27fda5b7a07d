package io.segbuf.cli.generate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer with the few JSON writes the generator needs. Written by hand so that
 * the generator knows every span's exact byte length while it pads. Not thread-safe; reused across
 * spans.
 */
final class JsonBuffer {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes = new byte[4096];
  private int length;

  int length() {
    return length;
  }

  void clear() {
    length = 0;
  }

  /** Drops everything written after {@code mark}. */
  void truncate(int mark) {
    length = mark;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  /** Writes ASCII text that needs no escaping (field names, punctuation). */
  void ascii(String text) {
    ensure(text.length());
    for (int i = 0; i < text.length(); i++) {
      bytes[length++] = (byte) text.charAt(i);
    }
  }

  void bytes(byte[] raw) {
    ensure(raw.length);
    System.arraycopy(raw, 0, bytes, length, raw.length);
    length += raw.length;
  }

  void bytes(byte[] raw, int count) {
    ensure(count);
    System.arraycopy(raw, 0, bytes, length, count);
    length += count;
  }

  /** Writes {@code value} as a quoted, escaped JSON string. */
  void string(String value) {
    bytes[ensureAndGet()] = '"';
    length++;
    stringContent(value);
    ensure(1);
    bytes[length++] = '"';
  }

  /** Writes the escaped content of a JSON string, without quotes. */
  void stringContent(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        ensure(2);
        bytes[length++] = '\\';
        bytes[length++] = (byte) c;
      } else if (c == '\n') {
        ascii("\\n");
      } else if (c == '\t') {
        ascii("\\t");
      } else if (c < 0x20) {
        ascii("\\u00");
        ensure(2);
        bytes[length++] = HEX[c >> 4];
        bytes[length++] = HEX[c & 0xF];
      } else if (c < 0x80) {
        ensure(1);
        bytes[length++] = (byte) c;
      } else {
        // The vocabulary holds no lone surrogates, so a pair always encodes as one 4-byte sequence.
        int end = Character.isHighSurrogate(c) ? i + 2 : i + 1;
        bytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
  }

  /** Writes {@code digits} lowercase hex digits of {@code value}, quoted. */
  void hexString(long value, int digits) {
    ensure(digits + 2);
    bytes[length++] = '"';
    hex(value, digits);
    bytes[length++] = '"';
  }

  /** Writes 32 lowercase hex digits of {@code high}{@code low}, quoted. */
  void hexString(long high, long low) {
    ensure(34);
    bytes[length++] = '"';
    hex(high, 16);
    hex(low, 16);
    bytes[length++] = '"';
  }

  private void hex(long value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      bytes[length++] = HEX[(int) (value >>> shift) & 0xF];
    }
  }

  void number(long value) {
    ascii(Long.toString(value));
  }

  /** Writes non-negative epoch microseconds as seconds with exactly six decimals. */
  void seconds(long micros) {
    ascii(Long.toString(micros / 1_000_000));
    long fraction = micros % 1_000_000;
    ensure(7);
    bytes[length++] = '.';
    for (long div = 100_000; div > 0; div /= 10) {
      bytes[length++] = (byte) ('0' + (fraction / div) % 10);
    }
  }

  private int ensureAndGet() {
    ensure(1);
    return length;
  }

  private void ensure(int extra) {
    if (length + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
    }
  }
}
