package io.segbuf.redis.internal;

import io.segbuf.FlushPolicy;
import io.segbuf.ParseResult;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import io.segbuf.spi.SealedSegment;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Changelog records to bytes and back. A record is a format version, an explicit type code and the fields, big
 * endian; spans are kept as their original bytes and parsed again on replay. Decoding checks every length and
 * fails with {@link UndecodableRecordException} rather than guess: a record that cannot be read is never taken
 * for something flushed. Stateless and thread-safe.
 */
public final class ChangelogCodec {
  static final byte VERSION = 1;
  static final byte START = 1;
  static final byte ADDED = 2;
  static final byte SEALED = 3;
  static final byte COMPLETED = 4;
  static final byte SNAPSHOT = 5;
  private static final int KEY_BYTES = 32;
  /** Version and type. */
  private static final int HEADER_BYTES = 2;
  /** An added record's time, policy and span count. */
  private static final int ADDED_FIELD_BYTES = 8 * 5 + 4;
  private static final int SPAN_LENGTH_BYTES = 4;
  private static final long NO_MAX_LIFETIME = -1;

  private ChangelogCodec() {}

  public static byte[] encode(ChangelogRecord record) {
    if (record instanceof ChangelogRecord.Added a) {
      return added(a.spans(), a.policy(), a.nowMillis());
    }
    if (record instanceof ChangelogRecord.Sealed s) {
      ByteBuffer b = header(SEALED, KEY_BYTES + 8);
      key(b, s.key());
      return b.putLong(s.nowMillis()).array();
    }
    if (record instanceof ChangelogRecord.Completed c) {
      ByteBuffer b = header(COMPLETED, KEY_BYTES + 4 + 4 + 4 + 8 + 2);
      SealedSegment s = c.sealed();
      key(b, s.key());
      b.putInt(s.shard()).putInt(s.generation()).putInt(s.spans()).putLong(s.bytes());
      return b.put(flag(s.skipEnrichment())).put(flag(c.chunked())).array();
    }
    if (record instanceof ChangelogRecord.Snapshot s) {
      return header(SNAPSHOT, s.state().length).put(s.state()).array();
    }
    return header(START, 0).array();
  }

  /** The size of the record that {@link #encode} makes of a snapshot of {@code stateBytes}. */
  public static long snapshotBytes(long stateBytes) {
    return HEADER_BYTES + stateBytes;
  }

  /** The size of the record that {@link #encode} makes of spans added, given their count and payload bytes. */
  public static long addedBytes(int spans, long payloadBytes) {
    return HEADER_BYTES + ADDED_FIELD_BYTES + (long) SPAN_LENGTH_BYTES * spans + payloadBytes;
  }

  private static byte[] added(List<Span> spans, FlushPolicy policy, long nowMillis) {
    long payload = 0;
    for (Span span : spans) {
      payload += span.size();
    }
    ByteBuffer b = header(ADDED, Math.toIntExact(addedBytes(spans.size(), payload) - HEADER_BYTES));
    Duration maxLifetime = policy.maxLifetime();
    b.putLong(nowMillis).putLong(policy.timeout().toMillis()).putLong(policy.rootTimeout().toMillis())
        .putLong(maxLifetime == null ? NO_MAX_LIFETIME : maxLifetime.toMillis()).putLong(policy.maxSegmentBytes())
        .putInt(spans.size());
    for (Span span : spans) {
      b.putInt(span.size()).put(span.bytes()); // SPAN_LENGTH_BYTES, then the payload
    }
    return b.array();
  }

  /**
   * Reads one record.
   *
   * @throws UndecodableRecordException when the bytes are not a record this version wrote
   */
  public static ChangelogRecord decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    try {
      byte version = b.get();
      if (version != VERSION) {
        throw new UndecodableRecordException("format version must be " + VERSION + " but was " + version);
      }
      byte type = b.get();
      ChangelogRecord record = switch (type) {
        case START -> new ChangelogRecord.Start();
        case ADDED -> decodeAdded(b);
        case SEALED -> new ChangelogRecord.Sealed(key(b), b.getLong());
        case COMPLETED -> decodeCompleted(b);
        case SNAPSHOT -> {
          byte[] state = new byte[b.remaining()];
          b.get(state);
          yield new ChangelogRecord.Snapshot(state);
        }
        default -> throw new UndecodableRecordException("record type must be 1 to 5 but was " + type);
      };
      if (b.hasRemaining()) {
        throw new UndecodableRecordException(b.remaining() + " bytes follow the record");
      }
      return record;
    } catch (BufferUnderflowException e) {
      throw new UndecodableRecordException("record of " + bytes.length + " bytes is truncated");
    } catch (IllegalArgumentException e) { // a field out of its range, from the records' own validation
      throw new UndecodableRecordException(String.valueOf(e.getMessage()));
    }
  }

  private static ChangelogRecord decodeAdded(ByteBuffer b) {
    long now = b.getLong();
    long timeout = b.getLong();
    long rootTimeout = b.getLong();
    long maxLifetime = b.getLong();
    FlushPolicy policy = new FlushPolicy(Duration.ofMillis(timeout), Duration.ofMillis(rootTimeout),
        maxLifetime == NO_MAX_LIFETIME ? null : Duration.ofMillis(maxLifetime), b.getLong());
    int count = b.getInt();
    if (count < 0 || count > b.remaining() / 4) {
      throw new UndecodableRecordException("span count must be in [0, " + b.remaining() / 4 + "] but was " + count);
    }
    List<Span> spans = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = b.getInt();
      if (length < 0 || length > b.remaining()) {
        throw new UndecodableRecordException(
            "span " + i + " length must be in [0, " + b.remaining() + "] but was " + length);
      }
      byte[] bytes = new byte[length];
      b.get(bytes);
      ParseResult parsed = Span.parse(bytes);
      if (!(parsed instanceof Span span)) {
        throw new UndecodableRecordException("span " + i + " does not parse: " + parsed);
      }
      spans.add(span);
    }
    return new ChangelogRecord.Added(spans, policy, now);
  }

  private static ChangelogRecord decodeCompleted(ByteBuffer b) {
    SegmentKey key = key(b);
    int shard = b.getInt();
    int generation = b.getInt();
    int spans = b.getInt();
    long bytes = b.getLong();
    boolean skipEnrichment = flag(b.get());
    boolean chunked = flag(b.get());
    return new ChangelogRecord.Completed(
        new SealedSegment(key, shard, generation, spans, bytes, skipEnrichment), chunked);
  }

  private static ByteBuffer header(byte type, int bodyBytes) {
    return ByteBuffer.allocate(HEADER_BYTES + bodyBytes).put(VERSION).put(type);
  }

  private static void key(ByteBuffer b, SegmentKey key) {
    b.putLong(key.projectId()).putLong(key.traceId().high()).putLong(key.traceId().low()).putLong(key.segmentId());
  }

  private static SegmentKey key(ByteBuffer b) {
    long project = b.getLong();
    return new SegmentKey(project, new TraceId(b.getLong(), b.getLong()), b.getLong());
  }

  private static byte flag(boolean value) {
    return (byte) (value ? 1 : 0);
  }

  private static boolean flag(byte value) {
    if (value != 0 && value != 1) {
      throw new UndecodableRecordException("flag must be 0 or 1 but was " + value);
    }
    return value == 1;
  }
}
