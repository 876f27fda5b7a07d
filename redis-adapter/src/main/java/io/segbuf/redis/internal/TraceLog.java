package io.segbuf.redis.internal;

import io.segbuf.ConfigException;
import io.segbuf.FlushPolicy;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.KnownSpan;
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
 *   <li>{@code 'A'} spans added: the frame that holds their payloads, shard, event time, the flush policy (its
 *       durations exact, as seconds and nanoseconds; no max lifetime: seconds -1), then per span its id, parent
 *       id, explicit segment id, digest, length and flags (37 bytes);
 *   <li>{@code 'S'} a segment sealed: segment id, event time;
 *   <li>{@code 'C'} a generation completed: segment id, generation, chunked.
 * </ul>
 */
public final class TraceLog {
  private static final byte ADDED = 'A';
  private static final byte SEALED = 'S';
  private static final byte COMPLETED = 'C';
  private static final int HEAD = 5;
  private static final int ADDED_FIXED = 8 + 4 + 8 + 3 * 12 + 8 + 4;
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
    put(b, policy.timeout());
    put(b, policy.rootTimeout());
    Duration lifetime = policy.maxLifetime();
    if (lifetime == null) {
      b.putLong(-1).putInt(0);
    } else {
      put(b, lifetime);
    }
    b.putLong(policy.maxSegmentBytes());
    b.putInt(spans.size());
    for (Span s : spans) {
      KnownSpan k = KnownSpan.of(s);
      b.putLong(k.spanId()).putLong(k.parentSpanId()).putLong(k.explicitSegmentId()).putLong(k.digest());
      b.putInt(k.length()).put((byte) ((k.root() ? ROOT : 0) | (k.explicit() ? EXPLICIT : 0)));
    }
    return b.array();
  }

  private static void put(ByteBuffer b, Duration d) {
    b.putLong(d.getSeconds()).putInt(d.getNano());
  }

  private static @Nullable Duration duration(ByteBuffer b) {
    long seconds = b.getLong();
    int nanos = b.getInt();
    return seconds < 0 || nanos < 0 || nanos > 999_999_999 ? null : Duration.ofSeconds(seconds, nanos);
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
    while (b.hasRemaining()) {
      int at = b.position();
      if (b.remaining() < HEAD) {
        throw corrupt(at, "a record header cut short: " + b.remaining() + " bytes");
      }
      byte kind = b.get();
      int length = b.getInt();
      if (length < 0 || length > b.remaining()) {
        throw corrupt(at, "a record of " + length + " bytes with " + b.remaining() + " left");
      }
      ByteBuffer body = b.slice().limit(length).order(ByteOrder.LITTLE_ENDIAN);
      b.position(b.position() + length);
      Record r;
      try {
        r = parse(kind, body, length);
      } catch (BufferUnderflowException | ConfigException e) { // cut short inside, or an impossible policy
        r = null;
      }
      if (r == null || body.hasRemaining()) {
        throw corrupt(at, "a malformed record of kind " + (kind & 0xff) + " and " + length + " bytes");
      }
      records.add(r);
    }
    return records;
  }

  private static @Nullable Record parse(byte kind, ByteBuffer b, int length) {
    switch (kind) {
      case ADDED -> {
        long frameId = b.getLong();
        int shard = b.getInt();
        long now = b.getLong();
        Duration timeout = duration(b);
        Duration rootTimeout = duration(b);
        int lifetimeAt = b.position();
        Duration lifetime = duration(b);
        boolean noLifetime = b.getLong(lifetimeAt) == -1 && b.getInt(lifetimeAt + 8) == 0;
        long maxSegmentBytes = b.getLong();
        if (timeout == null || rootTimeout == null || (lifetime == null && !noLifetime)) {
          return null;
        }
        FlushPolicy policy = new FlushPolicy(timeout, rootTimeout, lifetime, maxSegmentBytes);
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
          if ((flags & ~(ROOT | EXPLICIT)) != 0 || size < 0) {
            return null;
          }
          spans.add(new KnownSpan(id, (flags & ROOT) != 0, (flags & EXPLICIT) != 0, explicit, parent, digest, size));
        }
        return new Added(frameId, shard, now, policy, spans);
      }
      case SEALED -> {
        return length == 16 ? new Sealed(b.getLong(), b.getLong()) : null;
      }
      case COMPLETED -> {
        if (length != 13) {
          return null;
        }
        long segmentId = b.getLong();
        int generation = b.getInt();
        byte chunked = b.get();
        return generation < 0 || (chunked & ~1) != 0 ? null : new Completed(segmentId, generation, chunked == 1);
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
