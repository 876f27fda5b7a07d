package io.segbuf.kafka.internal;

import org.apache.kafka.common.header.Header;

/**
 * The upper bound of one record's size in a batch of Kafka's current record format (magic v2), as the producer
 * computes it before it compares a record with {@code max.request.size}: the batch header, the record's largest
 * fixed overhead, and the key, value and headers with their varint lengths. Compression does not change the
 * bound.
 */
public final class RecordSize {
  /** The v2 record batch header. */
  public static final int BATCH_OVERHEAD = 61;
  /** Attributes, the record's length, and the largest timestamp and offset deltas. */
  public static final int MAX_RECORD_OVERHEAD = 21;

  private RecordSize() {}

  /** The size bound of a record with a key of {@code keyBytes}, a value of {@code valueBytes} and the headers. */
  public static int upperBound(int keyBytes, int valueBytes, Header[] headers) {
    return upperBound(keyBytes, valueBytes, headersSize(headers));
  }

  /** As {@link #upperBound(int, int, Header[])}, with the headers' encoded size from {@link #headersSize}. */
  public static int upperBound(int keyBytes, int valueBytes, int headersSize) {
    long size = (long) BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + field(keyBytes) + field(valueBytes) + headersSize;
    return (int) Math.min(size, Integer.MAX_VALUE);
  }

  /** The encoded size of the headers, with their count. */
  public static int headersSize(Header[] headers) {
    int size = varintSize(headers.length);
    for (Header header : headers) {
      size += field(utf8Length(header.key()));
      byte[] value = header.value();
      size += value == null ? varintSize(-1) : field(value.length);
    }
    return size;
  }

  /**
   * The largest value length whose record fits {@code maxRecordBytes}, given the key and the headers' size; -1 when
   * not even an empty value fits.
   */
  public static int largestValue(int maxRecordBytes, int keyBytes, int headersSize) {
    long room = (long) maxRecordBytes - BATCH_OVERHEAD - MAX_RECORD_OVERHEAD - field(keyBytes) - headersSize;
    if (room < varintSize(0)) {
      return -1;
    }
    int value = (int) Math.min(room, Integer.MAX_VALUE - 8);
    while (value > 0 && (long) value + varintSize(value) > room) {
      value--;
    }
    return value;
  }

  /** A length-prefixed field: its varint length and its bytes; a negative length is null. */
  private static long field(int bytes) {
    return bytes < 0 ? varintSize(-1) : (long) varintSize(bytes) + bytes;
  }

  /** The size of a zig-zag varint. */
  static int varintSize(int value) {
    int v = (value << 1) ^ (value >> 31);
    int bytes = 1;
    while ((v & 0xffffff80) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
