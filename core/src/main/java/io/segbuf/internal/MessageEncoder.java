package io.segbuf.internal;

import io.segbuf.Message;
import io.segbuf.SegmentKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes {@code buffered-segments} messages straight from span bytes, without a JSON tree:
 *
 * <pre>{"flush_id":"&lt;32 hex&gt;","segment_id":"&lt;16 hex&gt;","generation":G,"chunk_index":I,"chunk_count":N,
 * "skip_enrichment":true,"spans":[…]}</pre>
 *
 * ({@code skip_enrichment} only when set). Lengths are computed exactly before writing, and checked after.
 */
public final class MessageEncoder {
  private static final byte[] FLUSH_ID = ascii("{\"flush_id\":\"");
  private static final byte[] SEGMENT_ID = ascii("\",\"segment_id\":\"");
  private static final byte[] GENERATION = ascii("\",\"generation\":");
  private static final byte[] CHUNK_INDEX = ascii(",\"chunk_index\":");
  private static final byte[] CHUNK_COUNT = ascii(",\"chunk_count\":");
  private static final byte[] SKIP_ENRICHMENT = ascii(",\"skip_enrichment\":true");
  private static final byte[] SPANS = ascii(",\"spans\":[");
  private static final byte[] END = ascii("]}");
  private static final int FIXED =
      FLUSH_ID.length + 32 + SEGMENT_ID.length + 16 + GENERATION.length + CHUNK_INDEX.length
          + CHUNK_COUNT.length + SPANS.length;

  private MessageEncoder() {}

  /** The length of everything before the first span. */
  public static int prefixLength(int generation, int chunkIndex, int chunkCount, boolean skipEnrichment) {
    return FIXED + digits(generation) + digits(chunkIndex) + digits(chunkCount)
        + (skipEnrichment ? SKIP_ENRICHMENT.length : 0);
  }

  /** The length of everything after the last span. */
  public static int suffixLength() {
    return END.length;
  }

  /**
   * The messages of every chunk of the plan, each encoded on demand ({@link Message#value()}): planning stays with
   * the caller's thread, copying the spans' bytes and digesting them go to whichever thread reads the value. The
   * spans are immutable, so that may be any thread.
   */
  public static List<Message> encode(SegmentKey key, int generation, SegmentOrder order, ChunkPlan plan) {
    List<Chunk> chunks = plan.chunks();
    List<Message> messages = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      int index = i;
      messages.add(new Message(key, generation, i, chunks.size(), plan.skipEnrichment(), chunk.spans(),
          chunk.messageBytes(), () -> encode(key, generation, order, plan, index)));
    }
    return messages;
  }

  /** The value of chunk {@code index} of the plan, its flush id written. */
  private static byte[] encode(SegmentKey key, int generation, SegmentOrder order, ChunkPlan plan, int index) {
    List<Chunk> chunks = plan.chunks();
    Chunk chunk = chunks.get(index);
    byte[] value = new byte[chunk.messageBytes()];
    int pos = copy(FLUSH_ID, value, 0) + 32; // the flush id, written last: it is a digest of what follows
    pos = copy(SEGMENT_ID, value, pos);
    Hex.write(key.segmentId(), value, pos);
    pos += 16;
    pos = copy(GENERATION, value, pos);
    pos = writeInt(generation, value, pos);
    pos = copy(CHUNK_INDEX, value, pos);
    pos = writeInt(index, value, pos);
    pos = copy(CHUNK_COUNT, value, pos);
    pos = writeInt(chunks.size(), value, pos);
    if (plan.skipEnrichment()) {
      pos = copy(SKIP_ENRICHMENT, value, pos);
    }
    pos = copy(SPANS, value, pos);
    for (int p = chunk.from(); p < chunk.to(); p++) {
      if (p > chunk.from()) {
        value[pos++] = ',';
      }
      pos = Spans.writePatched(order.span(p), key.segmentId(), value, pos);
    }
    pos = copy(END, value, pos);
    if (pos != value.length) {
      throw new IllegalStateException("message of " + key + " chunk " + index + " is " + pos
          + " bytes but was planned as " + value.length);
    }
    copy(flushId(key, value).getBytes(StandardCharsets.US_ASCII), value, FLUSH_ID.length);
    return value;
  }

  /**
   * The flush id of a message value: 32 hex digits, the first 128 bits of SHA-256 over {@code
   * "<project>:<trace hex>:"} followed by the value's bytes after its flush id (from the quote that closes it to the
   * end). A stable, documented derivation that any consumer can recompute. The value holds the segment id,
   * generation, chunk index and count, {@code skip_enrichment} and every span's bytes, so one flush id names one
   * byte string for ever, in any process, even after a store forgot a trace and flushed a segment's generation 0
   * again with other spans; a retry of a sealed generation encodes the same bytes, so it gets the same ids. A
   * cryptographic digest because span bytes come from anyone with a project's DSN: finding two messages with one
   * id costs about 2^64 work, and a keyed fast hash would differ between processes.
   */
  public static String flushId(SegmentKey key, byte[] value) {
    byte[] name = new byte[20 + 1 + 32 + 1];
    int pos = writeLong(key.projectId(), name, 0);
    name[pos++] = ':';
    Hex.write(key.traceId().high(), name, pos);
    Hex.write(key.traceId().low(), name, pos + 16);
    pos += 32;
    name[pos++] = ':';
    MessageDigest sha = SHA_256.get();
    sha.update(name, 0, pos);
    int body = FLUSH_ID.length + 32;
    sha.update(value, body, value.length - body);
    byte[] hex = new byte[32];
    Hex.write(Arrays.copyOf(sha.digest(), 16), hex, 0);
    return new String(hex, StandardCharsets.US_ASCII);
  }

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private static int writeLong(long value, byte[] out, int pos) {
    String digits = Long.toString(value);
    for (int i = 0; i < digits.length(); i++) {
      out[pos + i] = (byte) digits.charAt(i);
    }
    return pos + digits.length();
  }

  static int digits(int value) {
    int d = 1;
    while (value >= 10) {
      value /= 10;
      d++;
    }
    return d;
  }

  private static int writeInt(int value, byte[] out, int pos) {
    int d = digits(value);
    for (int i = pos + d - 1; i >= pos; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return pos + d;
  }

  private static int copy(byte[] from, byte[] out, int pos) {
    System.arraycopy(from, 0, out, pos, from.length);
    return pos + from.length;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
