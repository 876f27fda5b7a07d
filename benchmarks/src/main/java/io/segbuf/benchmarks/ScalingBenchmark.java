package io.segbuf.benchmarks;

import io.segbuf.SegmentSink;
import io.segbuf.SegmentStore;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TraceId;
import io.segbuf.internal.Hex;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  /** Spans per segment; "chain" is a 10,000-span chain arriving leaf first. */
  @Param({"10", "1000", "100000", "chain"})
  String shape = "10";

  private List<byte[]> spans;

  @Setup
  public void setUp() {
    spans = "chain".equals(shape) ? chains(10, 10_000) : trees(Integer.parseInt(shape));
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

  /** Segments of {@code size} spans: a root with children two levels deep. */
  private static List<byte[]> trees(int size) {
    List<byte[]> out = new ArrayList<>(TOTAL_SPANS);
    for (int t = 0; out.size() < TOTAL_SPANS; t++) {
      TraceId trace = new TraceId(t + 1, 0x5eed);
      for (int i = 0; i < size; i++) {
        long parent = i == 0 ? -1 : 1 + (i - 1) / 16;
        out.add(span(trace, i + 1, parent));
      }
    }
    return out;
  }

  /** Chains of {@code length} spans, each sent leaf first. */
  private static List<byte[]> chains(int count, int length) {
    List<byte[]> out = new ArrayList<>(count * length);
    for (int c = 0; c < count; c++) {
      TraceId trace = new TraceId(c + 1, 0xc4a1);
      for (int i = length; i >= 1; i--) {
        out.add(span(trace, i, i == 1 ? -1 : i - 1));
      }
    }
    return out;
  }

  /** A 1 KiB span; {@code parent} -1 for a root. */
  private static byte[] span(TraceId trace, long id, long parent) {
    StringBuilder b = new StringBuilder(1100)
        .append("{\"trace_id\":\"").append(trace.toHex())
        .append("\",\"span_id\":\"").append(Hex.toHex(id)).append('"');
    if (parent >= 0) {
      b.append(",\"parent_span_id\":\"").append(Hex.toHex(parent)).append('"');
    }
    b.append(",\"project_id\":1,\"end_timestamp\":1700000000.25,\"name\":\"db.query\",\"data\":\"");
    while (b.length() < 1022) {
      b.append('x');
    }
    return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
