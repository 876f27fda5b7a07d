package io.segbuf.redis.internal;

import io.segbuf.FlushPolicy;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.internal.InMemorySegmentStore.KnownSpan;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The records of a trace log: everything that happened to one trace, in the order Redis appended it. Replaying
 * a log's records in order rebuilds the trace's assembly exactly, in any process.
 *
 * <p>A record is a kind byte, the body's length (4 bytes) and the body, little-endian:
 *
 * <ul>
 *   <li>{@code 'A'} spans added: the frame that holds their payloads, shard, event time, the flush policy's four
 *       values, then per span its id, parent id, explicit segment id, digest, length and flags (37 bytes);
 *   <li>{@code 'S'} a segment sealed: segment id, event time;
 *   <li>{@code 'C'} a generation completed: segment id, generation, chunked.
 * </ul>
 */
public final class TraceLog {
  private static final byte ADDED = 'A';
  private static final byte SEALED = 'S';
  private static final byte COMPLETED = 'C';
  private static final int HEAD = 5;
  private static final int ADDED_FIXED = 8 + 4 + 8 + 4 * 8 + 4;
  private static final int PER_SPAN = 4 * 8 + 4 + 1;
  private static final int ROOT = 1;
  private static final int EXPLICIT = 2;

  private TraceLog() {}

  /** One record of a trace log. */
  public sealed interface Record permits Added, Sealed, Completed {}

  /** Spans added as one frame ({@code frameId}); their fields, so the log stays whole after the frame is gone. */
  public record Added(long frameId, int shard, long nowMillis, FlushPolicy policy, List<KnownSpan> spans)
      implements Record {}

  public record Sealed(long segmentId, long nowMillis) implements Record {}

  public record Completed(long segmentId, int generation, boolean chunked) implements Record {}

  public static byte[] added(long frameId, int shard, long nowMillis, FlushPolicy policy, List<Span> spans) {
    ByteBuffer b = record(ADDED, ADDED_FIXED + PER_SPAN * spans.size());
    b.putLong(frameId).putInt(shard).putLong(nowMillis);
    b.putLong(policy.timeout().toMillis()).putLong(policy.rootTimeout().toMillis());
    Duration lifetime = policy.maxLifetime();
    b.putLong(lifetime == null ? -1 : lifetime.toMillis()).putLong(policy.maxSegmentBytes());
    b.putInt(spans.size());
    for (Span s : spans) {
      KnownSpan k = KnownSpan.of(s);
      b.putLong(k.spanId()).putLong(k.parentSpanId()).putLong(k.explicitSegmentId()).putLong(k.digest());
      b.putInt(k.length()).put((byte) ((k.root() ? ROOT : 0) | (k.explicit() ? EXPLICIT : 0)));
    }
    return b.array();
  }

  public static byte[] sealed(long segmentId, long nowMillis) {
    return record(SEALED, 16).putLong(segmentId).putLong(nowMillis).array();
  }

  public static byte[] completed(long segmentId, int generation, boolean chunked) {
    return record(COMPLETED, 13).putLong(segmentId).putInt(generation).put((byte) (chunked ? 1 : 0)).array();
  }

  /** Parses whole records; fails when the bytes are not a run of whole, well-formed records. */
  public static List<Record> parse(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Record> records = new ArrayList<>();
    try {
      while (b.hasRemaining()) {
        int at = b.position();
        byte kind = b.get();
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
          throw corrupt(at, "a record of " + length + " bytes with " + b.remaining() + " left");
        }
        int end = b.position() + length;
        Record r = parse(kind, b, length);
        if (r == null || b.position() != end) {
          throw corrupt(at, "a malformed record of kind " + (kind & 0xff) + " and " + length + " bytes");
        }
        records.add(r);
      }
    } catch (BufferUnderflowException e) {
      throw corrupt(b.position(), "a record cut short");
    }
    return records;
  }

  private static @Nullable Record parse(byte kind, ByteBuffer b, int length) {
    switch (kind) {
      case ADDED -> {
        long frameId = b.getLong();
        int shard = b.getInt();
        long now = b.getLong();
        Duration timeout = Duration.ofMillis(b.getLong());
        Duration rootTimeout = Duration.ofMillis(b.getLong());
        long lifetime = b.getLong();
        FlushPolicy policy = new FlushPolicy(timeout, rootTimeout, lifetime < 0 ? null : Duration.ofMillis(lifetime),
            b.getLong());
        int n = b.getInt();
        if (n < 0 || length != ADDED_FIXED + (long) PER_SPAN * n) {
          return null;
        }
        List<KnownSpan> spans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          long id = b.getLong();
          long parent = b.getLong();
          long explicit = b.getLong();
          long digest = b.getLong();
          int size = b.getInt();
          int flags = b.get();
          spans.add(new KnownSpan(id, (flags & ROOT) != 0, (flags & EXPLICIT) != 0, explicit, parent, digest, size));
        }
        return new Added(frameId, shard, now, policy, spans);
      }
      case SEALED -> {
        return length == 16 ? new Sealed(b.getLong(), b.getLong()) : null;
      }
      case COMPLETED -> {
        return length == 13 ? new Completed(b.getLong(), b.getInt(), b.get() == 1) : null;
      }
      default -> {
        return null;
      }
    }
  }

  private static ByteBuffer record(byte kind, int length) {
    return ByteBuffer.allocate(HEAD + length).order(ByteOrder.LITTLE_ENDIAN).put(kind).putInt(length);
  }

  private static SegbufException corrupt(int at, String what) {
    return new SegbufException("trace log is corrupt at byte " + at + ": " + what);
  }
}
