package io.segbuf.cli.replay;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads NDJSON lines as byte arrays, exactly as they are (no charset decoding), without their {@code \n} or
 * {@code \r\n}. Counts lines and bytes for progress reports. Not thread-safe.
 */
final class LineReader {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final InputStream in;
  private final byte[] buffer = new byte[1 << 16];
  private int pos;
  private int limit;
  private long lines;
  private long bytes;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** The next line, or null at the end of input. */
  byte @Nullable [] next() throws IOException {
    byte[] partial = null;
    int partialLength = 0;
    while (true) {
      if (pos == limit) {
        limit = in.read(buffer);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          if (partial == null) {
            return null;
          }
          return line(partial, partialLength);
        }
        bytes += limit;
      }
      int start = pos;
      pos = newline(buffer, pos, limit);
      int length = pos - start;
      if (partial == null && pos < limit) {
        pos++;
        return line(Arrays.copyOfRange(buffer, start, start + length), length);
      }
      if (partial == null) {
        partial = new byte[Math.max(length * 2, 256)];
      } else if (partialLength + length > partial.length) {
        partial = Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + length));
      }
      System.arraycopy(buffer, start, partial, partialLength, length);
      partialLength += length;
      if (pos < limit) {
        pos++;
        return line(partial, partialLength);
      }
    }
  }

  /** The offset of the first {@code \n} in {@code bytes[from, to)}, or {@code to} when there is none. */
  private static int newline(byte[] bytes, int from, int to) {
    int i = from;
    for (; i <= to - 8; i += 8) {
      // Eight bytes at a time: a byte equal to '\n' becomes zero, and the lowest flagged zero byte is exact.
      long x = (long) LONGS.get(bytes, i) ^ NEWLINES;
      long zeros = (x - ONES) & ~x & HIGH_BITS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    while (i < to && bytes[i] != '\n') {
      i++;
    }
    return i;
  }

  private byte[] line(byte[] content, int length) {
    lines++;
    if (length > 0 && content[length - 1] == '\r') {
      length--;
    }
    return content.length == length ? content : Arrays.copyOf(content, length);
  }

  /** Lines read so far; the last one returned is line number {@code lines()}. */
  long lines() {
    return lines;
  }

  /** Bytes read so far. */
  long bytes() {
    return bytes;
  }
}
