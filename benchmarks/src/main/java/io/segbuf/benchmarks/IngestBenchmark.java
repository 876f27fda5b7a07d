package io.segbuf.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.segbuf.FlushPolicy;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per span: parsing alone, and ingest (parse + assemble into the in-memory store, in batches of 1,000 as a
 * consumer does), against a jackson-databind parse of the same spans, in the same run. {@code tokenizeFloor} is
 * the least a jackson-core streaming parse can cost: every token of the span and nothing else.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class IngestBenchmark {
  static final int SPANS = 10_000;
  private static final int BATCH = 1_000;
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final JsonFactory TOKENIZER =
      JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

  @Param({"1024", "16384"})
  int spanBytes;

  private List<byte[]> raw;

  @Setup
  public void setUp() {
    raw = Inputs.spans(SPANS / 20, 20, spanBytes, 7);
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public void parse(Blackhole bh) {
    for (byte[] bytes : raw) {
      bh.consume(Span.parse(bytes));
    }
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public SegmentStore ingest() {
    SegmentStore store = SegmentStore.inMemory();
    FlushPolicy policy = FlushPolicy.defaults();
    List<Span> batch = new ArrayList<>(BATCH);
    for (byte[] bytes : raw) {
      ParseResult parsed = Span.parse(bytes);
      if (parsed instanceof Span) {
        batch.add((Span) parsed);
      }
      if (batch.size() == BATCH) {
        store.add(0, batch, policy, NOW);
        batch = new ArrayList<>(BATCH);
      }
    }
    if (!batch.isEmpty()) {
      store.add(0, batch, policy, NOW);
    }
    return store;
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public void databindParseBaseline(Blackhole bh) {
    for (byte[] bytes : raw) {
      JsonNode tree = DatabindBaseline.parse(bytes);
      bh.consume(tree);
    }
  }

  /** Tokenizes each span with jackson-core, reading nothing: no field handling, no UTF-8 check, no assembly. */
  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int tokenizeFloor() throws IOException {
    int tokens = 0;
    for (byte[] bytes : raw) {
      try (JsonParser p = TOKENIZER.createParser(bytes)) {
        while (p.nextToken() != null) {
          tokens++;
        }
      }
    }
    return tokens;
  }
}
