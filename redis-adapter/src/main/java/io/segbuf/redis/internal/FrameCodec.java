package io.segbuf.redis.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A frame: the payloads of one trace's spans of one batch, stored as one value. A format byte ({@code 'R'} raw,
 * {@code 'Z'} zstd, when enabled and worth it), then the span count and each span's length and bytes (4-byte
 * lengths, little-endian).
 */
public final class FrameCodec {
  private static final byte RAW = 'R';
  private static final byte ZSTD = 'Z';

  private final boolean compression;
  private final int level;
  private final int minBytes;
  private final long maxUncompressed;

  /**
   * @param maxUncompressedSpanBytes a span larger than this is refused as corrupt; a frame may hold this much per
   *     span
   */
  public FrameCodec(boolean compression, int level, int minBytes, int maxUncompressedSpanBytes) {
    this.compression = compression;
    this.level = level;
    this.minBytes = minBytes;
    this.maxUncompressed = maxUncompressedSpanBytes;
  }

  public byte[] encode(List<Span> spans) {
    long size = 1 + 4;
    for (Span s : spans) {
      size += 4 + s.size();
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new SegbufException("a batch holds " + size + " bytes of one trace, more than one Redis value can");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN).put(RAW).putInt(spans.size());
    for (Span s : spans) {
      b.putInt(s.size()).put(s.bytes());
    }
    byte[] raw = b.array();
    if (compression && raw.length >= minBytes) {
      byte[] packed = new byte[(int) Zstd.compressBound(raw.length - 1) + 1];
      long n = Zstd.compressByteArray(packed, 1, packed.length - 1, raw, 1, raw.length - 1, level);
      if (Zstd.isError(n)) {
        throw new SegbufException("zstd could not compress a frame of " + raw.length + " bytes: "
            + Zstd.getErrorName(n));
      }
      if (n + 1 < raw.length) {
        packed[0] = ZSTD;
        return Arrays.copyOf(packed, (int) n + 1);
      }
    }
    return raw;
  }

  /** Parses a stored frame's spans, in the order they were encoded. */
  public List<Span> decode(byte[] stored) {
    if (stored.length == 0 || (stored[0] != RAW && stored[0] != ZSTD)) {
      throw new SegbufException("stored frame of " + stored.length + " bytes has no known format");
    }
    byte[] raw;
    if (stored[0] == ZSTD) {
      long size = Zstd.getFrameContentSize(stored, 1, stored.length - 1);
      if (size < 0 || size > Integer.MAX_VALUE - 16) {
        throw new SegbufException("stored frame would decompress to " + size + " bytes");
      }
      try {
        raw = new byte[(int) size];
        long n = Zstd.decompressByteArray(raw, 0, raw.length, stored, 1, stored.length - 1);
        if (n != size) {
          throw new SegbufException("stored frame decompressed to " + n + " bytes, not " + size);
        }
      } catch (ZstdException e) {
        throw new SegbufException("stored frame of " + stored.length + " bytes is not a valid zstd frame", e);
      }
    } else {
      raw = stored;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    b.position(stored[0] == ZSTD ? 0 : 1);
    try {
      int n = b.getInt();
      if (n < 0 || n > b.remaining() / 4) {
        throw new SegbufException("stored frame claims " + n + " spans in " + b.remaining() + " bytes");
      }
      List<Span> spans = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining() || length > maxUncompressed) {
          throw new SegbufException("stored frame's span " + i + " claims " + length + " bytes, with "
              + b.remaining() + " left and maxUncompressedSpanBytes=" + maxUncompressed);
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        ParseResult parsed = Span.parse(bytes);
        if (!(parsed instanceof Span span)) {
          throw new SegbufException("stored span of " + length + " bytes does not parse: " + (Outcome.Invalid) parsed);
        }
        spans.add(span);
      }
      if (b.hasRemaining()) {
        throw new SegbufException("stored frame has " + b.remaining() + " bytes after its " + n + " spans");
      }
      return spans;
    } catch (BufferUnderflowException e) {
      throw new SegbufException("stored frame of " + raw.length + " bytes is cut short", e);
    }
  }
}
