package io.segbuf.redis.internal;

import io.segbuf.SpanIds;
import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import java.nio.charset.StandardCharsets;

/**
 * Names of the store's keys. Every part comes from parsed numbers rendered here (project id in decimal, ids in
 * lowercase hex), never from raw input, so no span can name another project's or trace's keys.
 *
 * <ul>
 *   <li>{@code <prefix>:{<project>:<trace>}:log} string: the trace log ({@link TraceLog})
 *   <li>{@code <prefix>:{<project>:<trace>}:f:<frame id>} string: a frame of span payloads ({@link FrameCodec})
 *   <li>{@code <prefix>:{q:<shard>}:due} sorted set: the shard's queue, score = deadline × 8 + reason
 *   <li>{@code <prefix>:{q:<shard>}:use} hash: the shard's buffered segments, spans and bytes
 *   <li>{@code <prefix>:{q:<shard>}:size} hash: per queued segment, the spans and bytes it holds ("spans bytes"),
 *       which the usage counters are the sum of
 *   <li>{@code <prefix>:{shards}} set: shards that have had a queue
 * </ul>
 */
public final class KeyLayout {
  private final String prefix;

  public KeyLayout(String prefix) {
    this.prefix = prefix;
  }

  /** The common start of a trace's keys, ending with ':'. */
  public String traceBase(TraceRef trace) {
    TraceId t = trace.traceId();
    return prefix + ":{" + trace.projectId() + ":" + SpanIds.toHex(t.high()) + SpanIds.toHex(t.low()) + "}:";
  }

  public byte[] log(TraceRef trace) {
    return bytes(traceBase(trace) + "log");
  }

  public byte[] frame(TraceRef trace, long frameId) {
    return bytes(traceBase(trace) + "f:" + SpanIds.toHex(frameId));
  }

  public byte[] queue(int shard) {
    return bytes(prefix + ":{q:" + shard + "}:due");
  }

  public byte[] usage(int shard) {
    return bytes(prefix + ":{q:" + shard + "}:use");
  }

  public byte[] sizes(int shard) {
    return bytes(prefix + ":{q:" + shard + "}:size");
  }

  public byte[] shards() {
    return bytes(prefix + ":{shards}");
  }

  /** The queue member of a segment: {@code <project>:<trace>:<segment id>}. */
  public static String member(SegmentKey key) {
    TraceId t = key.traceId();
    return key.projectId() + ":" + SpanIds.toHex(t.high()) + SpanIds.toHex(t.low()) + ":" + key.segmentIdHex();
  }

  /** The queue member that guards a trace while a batch is written: {@code g:<project>:<trace>}. */
  public static String guard(TraceRef trace) {
    TraceId t = trace.traceId();
    return "g:" + trace.projectId() + ":" + SpanIds.toHex(t.high()) + SpanIds.toHex(t.low());
  }

  public static boolean isGuard(String member) {
    return member.startsWith("g:");
  }

  /** Parses a segment member written by {@link #member}. */
  public static SegmentKey parseMember(String member) {
    int a = member.indexOf(':');
    int b = member.indexOf(':', a + 1);
    return new SegmentKey(Long.parseLong(member.substring(0, a)), TraceId.parse(member.substring(a + 1, b)),
        Long.parseUnsignedLong(member.substring(b + 1), 16));
  }

  /** The trace of a guard member written by {@link #guard}. */
  public static TraceRef parseGuard(String member) {
    int a = member.indexOf(':', 2);
    return new TraceRef(Long.parseLong(member.substring(2, a)), TraceId.parse(member.substring(a + 1)));
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
