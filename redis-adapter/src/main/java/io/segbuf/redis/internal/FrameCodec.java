package io.segbuf.redis.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdInputStream;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
  /**
   * The largest zstd window a frame may ask for: 8 MiB, what levels 1–19 use at most, so that a corrupt header
   * cannot make the decoder reserve zstd's default 128 MiB.
   */
  private static final int MAX_WINDOW_LOG = 23;

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
    InputStream body = new ByteArrayInputStream(stored, 1, stored.length - 1);
    try {
      if (stored[0] == ZSTD) {
        // read as a stream: no length the frame claims is trusted before its span lengths were checked
        try (InputStream unpacked = new ZstdInputStream(body).setLongMax(MAX_WINDOW_LOG)) {
          return spans(unpacked, stored.length);
        }
      }
      return spans(body, stored.length);
    } catch (IOException | ZstdException e) {
      throw new SegbufException("stored frame of " + stored.length + " bytes is not a valid zstd frame: " + e, e);
    }
  }

  private List<Span> spans(InputStream in, int storedLength) throws IOException {
    int n = readInt(in, storedLength);
    if (n < 0) {
      throw new SegbufException("stored frame of " + storedLength + " bytes claims " + n + " spans");
    }
    List<Span> spans = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      int length = readInt(in, storedLength);
      if (length < 0 || length > maxUncompressed) {
        throw new SegbufException("stored frame's span " + i + " claims " + length
            + " bytes, more than maxUncompressedSpanBytes=" + maxUncompressed);
      }
      byte[] bytes = in.readNBytes(length);
      if (bytes.length != length) {
        throw new SegbufException("stored frame of " + storedLength + " bytes is cut short in span " + i);
      }
      ParseResult parsed = Span.parse(bytes);
      if (!(parsed instanceof Span span)) {
        throw new SegbufException("stored span of " + length + " bytes does not parse: " + (Outcome.Invalid) parsed);
      }
      spans.add(span);
    }
    if (in.read() != -1) {
      throw new SegbufException("stored frame of " + storedLength + " bytes has bytes after its " + n + " spans");
    }
    return spans;
  }

  private static int readInt(InputStream in, int storedLength) throws IOException {
    byte[] b = in.readNBytes(4);
    if (b.length != 4) {
      throw new SegbufException("stored frame of " + storedLength + " bytes is cut short");
    }
    return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
  }
}
