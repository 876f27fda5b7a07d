package io.segbuf.benchmarks;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.StoreUri;
import io.segbuf.internal.Hex;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One trace id that never goes quiet (a broken SDK): spans of one trace, children of the root, of a recent span or
 * of a parent that never comes, offered in batches of 1,000 one second apart and flushed as they fall due, with the
 * store's default limits. Prints the live heap after full collections every million spans: it must stay flat. Run:
 * {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar io.segbuf.benchmarks.OneTraceSoak [spans] [store]}
 * (default 10,000,000 spans, the in-memory store). With {@code redis://host:port} as the store (as {@code segbuf
 * run --store}), it also prints Redis's {@code used_memory} and the shard's changelog (read with {@code redis-cli},
 * which must be on the path), which must stay flat too (compaction).
 */
public final class OneTraceSoak {
  private static final String TRACE = "0123456789abcdef0123456789abcdef";
  private static final int BATCH = 1_000;

  private OneTraceSoak() {}

  public static void main(String[] args) throws IOException {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    String store = args.length > 1 ? args[1] : StoreUri.MEMORY;
    try (SegmentStore segments = StoreUri.open(store)) {
      run(SpanBuffer.create(SpanBufferConfig.defaults(), segments, m -> CompletableFuture.completedFuture(null)),
          spans, segments.durable() ? store : null);
    }
  }

  private static void run(SpanBuffer buffer, long spans, @Nullable String redis) throws IOException {
    SplittableRandom random = new SplittableRandom(15);
    Instant now = Instant.ofEpochSecond(1_700_000_000);
    buffer.offer(0, List.of(span(1, -1)), now);
    long started = System.nanoTime();
    for (long id = 2; id <= spans; ) {
      List<byte[]> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++, id++) {
        int kind = random.nextInt(100);
        long parent = kind < 40 ? 1 : kind < 95 ? Math.max(1, id - 1 - random.nextInt(50)) : id + (1L << 40);
        batch.add(span(id, parent));
      }
      now = now.plusSeconds(1);
      buffer.offer(0, batch, now);
      buffer.flush(0, now);
      if (id % 1_000_000 < BATCH) {
        StoreUsage usage = buffer.usage();
        System.out.printf(Locale.ROOT,
            "%,12d spans  %6.1f s  live heap %,6.1f MiB  buffered %,7d spans  forgotten %,12d  flushed %,12d%s%n",
            id - 1, (System.nanoTime() - started) / 1e9, liveHeap() / 1048576.0, usage.spans(),
            usage.forgottenSpans(), buffer.stats().flushedSpans(), redis == null ? "" : redisMemory(redis));
      }
    }
  }

  /** A span of about 200 bytes; {@code parent} -1 for the root. */
  private static byte[] span(long id, long parent) {
    StringBuilder b = new StringBuilder(220).append("{\"trace_id\":\"").append(TRACE)
        .append("\",\"span_id\":\"").append(Hex.toHex(id)).append('"');
    if (parent >= 0) {
      b.append(",\"parent_span_id\":\"").append(Hex.toHex(parent)).append('"');
    }
    return b.append(",\"project_id\":1,\"end_timestamp\":1700000000.25,\"op\":\"db.query\",\"description\":")
        .append("\"SELECT * FROM spans WHERE id = ?\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Redis's {@code used_memory} and shard 0's changelog (default key prefix), read with {@code redis-cli}. */
  private static String redisMemory(String uri) throws IOException {
    String usedMemory = "";
    for (String line : cli(uri, "INFO", "memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        usedMemory = line.substring("used_memory:".length());
      }
    }
    String log = "{segbuf:0}:log:" + cli(uri, "GET", "{segbuf:0}:epoch").strip();
    return String.format(Locale.ROOT, "  redis used_memory %,7.1f MiB  changelog %s records, %,.1f KiB",
        Long.parseLong(usedMemory.strip()) / 1048576.0, cli(uri, "LLEN", log).strip(),
        Long.parseLong(cli(uri, "MEMORY", "USAGE", log, "SAMPLES", "0").strip()) / 1024.0);
  }

  private static String cli(String uri, String... command) throws IOException {
    List<String> line = new ArrayList<>(List.of("redis-cli", "-u", uri));
    line.addAll(List.of(command));
    Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
