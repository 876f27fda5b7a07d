package io.segbuf.benchmarks;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TraceId;
import io.segbuf.internal.Hex;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-span cost of the whole job (offer, then flush) by segment size: 100,000 spans as segments of 10, 1,000 or
 * 100,000 spans, and as 10 chains of 10,000 spans arriving leaf first. Every variant handles 100,000 spans per
 * operation, so scores compare directly as cost per span.
 *
 * <p>Hostile ids, each against the same shape with random ids: one segment of 100,000 spans whose ids are
 * multiples of the inverse of the multiplier {@code LongMap} once used (every one of them took slot 0), and
 * segments of 10 spans in 10,000 traces whose ids all had one hash code under the trace key's old linear hash.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ScalingBenchmark {
  static final int TOTAL_SPANS = 100_000;
  private static final int BATCH = 1_000;
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final SegmentSink DISCARD = m -> CompletableFuture.completedFuture(null);

  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  /**
   * Spans per segment; "chain" is a 10,000-span chain arriving leaf first; "randomSpanIds" and "chosenSpanIds" one
   * segment of 100,000 spans, "randomTraceIds" and "chosenTraceIds" segments of 10 spans, with such ids.
   */
  @Param({"10", "1000", "100000", "chain", "randomSpanIds", "chosenSpanIds", "randomTraceIds", "chosenTraceIds"})
  String shape = "10";

  private List<byte[]> spans;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    long inverse = inverse(GOLDEN);
    spans = switch (shape) {
      case "chain" -> chains(10, 10_000);
      case "randomSpanIds" -> trees(TOTAL_SPANS, t -> new TraceId(t + 1, 0x5eed), i -> random.nextLong());
      case "chosenSpanIds" -> trees(TOTAL_SPANS, t -> new TraceId(t + 1, 0x5eed), i -> (i + 1) * inverse);
      case "randomTraceIds" -> trees(10, t -> new TraceId(random.nextLong(), random.nextLong()), i -> i + 1);
      case "chosenTraceIds" -> trees(10, t -> new TraceId(-(t + 1) * GOLDEN, t + 1), i -> i + 1);
      default -> trees(Integer.parseInt(shape), t -> new TraceId(t + 1, 0x5eed), i -> i + 1);
    };
  }

  @Benchmark
  public long offerAndFlush() {
    SpanBuffer buffer = SpanBuffer.create(
        SpanBufferConfig.builder().build(), SegmentStore.inMemory(), DISCARD);
    for (int i = 0; i < spans.size(); i += BATCH) {
      buffer.offer(0, spans.subList(i, Math.min(spans.size(), i + BATCH)), NOW);
    }
    return buffer.drain(NOW).spans();
  }

  /**
   * Segments of {@code size} spans, each in a trace of its own: a root with children two levels deep; the trace of
   * the t-th segment and the id of its i-th span by the functions.
   */
  private static List<byte[]> trees(int size, LongFunction<TraceId> traceOf, LongUnaryOperator idOf) {
    List<byte[]> out = new ArrayList<>(TOTAL_SPANS);
    long[] ids = new long[size];
    for (int t = 0; out.size() < TOTAL_SPANS; t++) {
      TraceId trace = traceOf.apply(t);
      for (int i = 0; i < size; i++) {
        ids[i] = idOf.applyAsLong(i);
        out.add(span(trace, ids[i], i == 0, ids[(i - 1) / 16]));
      }
    }
    return out;
  }

  /** The inverse of an odd number modulo 2^64, by Newton's iteration. */
  private static long inverse(long odd) {
    long x = odd;
    for (int i = 0; i < 6; i++) {
      x *= 2 - odd * x;
    }
    return x;
  }

  /** Chains of {@code length} spans, each sent leaf first. */
  private static List<byte[]> chains(int count, int length) {
    List<byte[]> out = new ArrayList<>(count * length);
    for (int c = 0; c < count; c++) {
      TraceId trace = new TraceId(c + 1, 0xc4a1);
      for (int i = length; i >= 1; i--) {
        out.add(span(trace, i, i == 1, i - 1));
      }
    }
    return out;
  }

  /** A 1 KiB span; {@code parent} only when not a root. */
  private static byte[] span(TraceId trace, long id, boolean root, long parent) {
    StringBuilder b = new StringBuilder(1100)
        .append("{\"trace_id\":\"").append(trace.toHex())
        .append("\",\"span_id\":\"").append(Hex.toHex(id)).append('"');
    if (!root) {
      b.append(",\"parent_span_id\":\"").append(Hex.toHex(parent)).append('"');
    }
    b.append(",\"project_id\":1,\"end_timestamp\":1700000000.25,\"name\":\"db.query\",\"data\":\"");
    while (b.length() < 1022) {
      b.append('x');
    }
    return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
