package io.segbuf.redis.internal;

import io.segbuf.SpanIds;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * How spans travel to the scripts: a fixed-width header of parsed fields and the payload, zstd-compressed when
 * enabled and worth it. A stored payload starts with '{' or white space (JSON) or with the zstd frame magic,
 * which no JSON text starts with, so no marker byte is needed.
 */
public final class SpanCodec {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte[] ZERO_ID = "0000000000000000".getBytes(StandardCharsets.US_ASCII);

  private final boolean compression;
  private final int level;
  private final int minBytes;
  private final int maxUncompressed;

  public SpanCodec(boolean compression, int level, int minBytes, int maxUncompressed) {
    this.compression = compression;
    this.level = level;
    this.minBytes = minBytes;
    this.maxUncompressed = maxUncompressed;
  }

  /**
   * The script header, which doubles as the span's link node: {@code 'L'}, parent id and digest (16 hex each),
   * the kind ({@code r} root, {@code e} explicit segment id, {@code c} child), the size, and for {@code e} a
   * slash and the explicit segment id.
   */
  public static byte[] header(Span span) {
    byte[] size = Integer.toString(span.size()).getBytes(StandardCharsets.US_ASCII);
    boolean explicit = span.hasExplicitSegmentId();
    byte[] h = new byte[34 + size.length + (explicit ? 17 : 0)];
    h[0] = 'L';
    if (span.hasParent()) {
      SpanIds.writeHex(span.parentSpanId(), h, 1);
    } else {
      System.arraycopy(ZERO_ID, 0, h, 1, 16);
    }
    SpanIds.writeHex(digest(span.bytes()), h, 17);
    h[33] = explicit ? (byte) 'e' : span.isRoot() ? (byte) 'r' : (byte) 'c';
    System.arraycopy(size, 0, h, 34, size.length);
    if (explicit) {
      h[34 + size.length] = '/';
      SpanIds.writeHex(span.explicitSegmentId(), h, 35 + size.length);
    }
    return h;
  }

  /** The span id as the script's node field: 16 hex digits. */
  public static byte[] id(Span span) {
    byte[] id = new byte[16];
    SpanIds.writeHex(span.spanId(), id, 0);
    return id;
  }

  /** The bytes to store for a span. */
  public byte[] encode(Span span) {
    byte[] raw = span.bytes();
    if (!compression || raw.length < minBytes) {
      return raw;
    }
    byte[] packed = Zstd.compress(raw, level);
    return packed.length < raw.length ? packed : raw;
  }

  /** Parses a stored span. */
  public Span decode(byte[] stored) {
    byte[] raw = stored;
    if (isZstd(stored)) {
      long size = Zstd.getFrameContentSize(stored);
      if (size < 0 || size > maxUncompressed) {
        throw new SegbufException("stored span would decompress to " + size + " bytes, more than maxUncompressedSpanBytes="
            + maxUncompressed);
      }
      try {
        raw = Zstd.decompress(stored, (int) size);
      } catch (ZstdException e) {
        throw new SegbufException("stored span of " + stored.length + " bytes is not a valid zstd frame", e);
      }
    }
    ParseResult parsed = Span.parse(raw);
    if (parsed instanceof Span) {
      return (Span) parsed;
    }
    throw new SegbufException("stored span of " + raw.length + " bytes does not parse: " + ((Outcome.Invalid) parsed));
  }

  static boolean isZstd(byte[] b) {
    return b.length >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f
        && (b[3] & 0xff) == 0xfd;
  }

  /** A 64-bit hash of a span's bytes, to recognise byte-identical redeliveries. Not cryptographic. */
  public static long digest(byte[] bytes) {
    long h = 0x27d4eb2f165667c5L + bytes.length;
    int i = 0;
    for (int end = bytes.length - 7; i < end; i += 8) {
      long k = (long) LONGS.get(bytes, i) * 0xc2b2ae3d27d4eb4fL;
      h ^= Long.rotateLeft(k, 31) * 0x9e3779b185ebca87L;
      h = Long.rotateLeft(h, 27) * 0x9e3779b185ebca87L + 0x85ebca77c2b2ae63L;
    }
    for (; i < bytes.length; i++) {
      h ^= (bytes[i] & 0xffL) * 0x27d4eb2f165667c5L;
      h = Long.rotateLeft(h, 11) * 0x9e3779b185ebca87L;
    }
    h ^= h >>> 33;
    h *= 0xc2b2ae3d27d4eb4fL;
    h ^= h >>> 29;
    h *= 0x165667b19e3779f9L;
    return h ^ (h >>> 32);
  }
}
