package io.segbuf.redis;

import static io.segbuf.TestSpans.span;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Redis CPU and commands per span for this store at batches of 10, 100 and 1,000 spans against the payload floor
 * (one SET of each batch's bytes) and a naive baseline (one script call per span), measured with INFO cpu, INFO
 * commandstats, and the commands clients sent as counted on the wire by a {@link CommandCountingRelay} (on Redis 7.0
 * both INFO commandstats and INFO stats' total_commands_processed count the commands run inside scripts too), on a
 * local redis-server; and the takeover replay speed. A plain main, not a test:
 * {@code java -cp <test classpath> io.segbuf.redis.RedisIngestBenchmark [spans]}.
 */
public final class RedisIngestBenchmark {
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 10L * 1024 * 1024);
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final int TRACES = 32;
  private static final int BATCH = 1000;

  /** A naive per-span script: follow redirects, push the span, record the redirect, push the deadline. */
  private static final String NAIVE = String.join("\n",
      "local nodes, queue = KEYS[1], KEYS[2]",
      "local prefix, id, parent, payload, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])",
      "local seg = parent ~= '' and parent or id",
      "for i = 1, 1000 do local nxt = redis.call('HGET', nodes, seg); if not nxt or nxt == seg then break end;"
          + " seg = nxt end",
      "if parent == '' then local old = redis.call('HGET', nodes, id);"
          + " if old and old ~= id then redis.call('HSET', nodes, id, id) end end",
      "redis.call('HSET', nodes, id, seg)",
      "redis.call('SADD', prefix .. seg, payload)",
      "redis.call('EXPIRE', prefix .. seg, 3600)",
      "redis.call('EXPIRE', nodes, 3600)",
      "redis.call('ZADD', queue, now + 60000, seg)",
      "return seg");

  private RedisIngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    try (RedisServers redis = RedisServers.standalone(); CommandCountingRelay relay =
        new CommandCountingRelay(redis.port())) {
      Bench bench = new Bench(redis, relay);
      for (int batchSize : new int[] {10, 100, 1000}) {
        int spans = total;
        List<List<Span>> batches = treeBatches(spans, batchSize);
        System.out.printf(Locale.ROOT, "%d spans of ~1 KiB, batches of %d across %d interleaved traces%n", spans,
            batchSize, TRACES);
        ingest(bench, batches, spans, "bench" + batchSize);
        floor(bench, batches, spans, false);
        floor(bench, batches, spans, true);
      }
      List<List<Span>> batches = treeBatches(total, BATCH);
      naive(bench, batches, total);
      chain(bench, 4000, 10);
      chain(bench, 10_000, 100);
      fanOut(bench, 50_000, 1000);
    }
  }

  /** This store's ingest, then a flush of everything and a takeover replay of what is left. */
  private static void ingest(Bench redis, List<List<Span>> batches, int total, String prefix) {
    RedisStoreOptions options = RedisStoreOptions.builder().uri(redis.uri()).keyPrefix(prefix).build();
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      store.acquire(0);
      Stats before = redis.settledStats();
      long t = System.nanoTime();
      for (List<Span> b : batches) {
        store.add(0, b, POLICY, T0);
      }
      double wall = (System.nanoTime() - t) / 1e3 / total;
      Stats ingest = redis.stats().minus(before);
      report("segbuf ingest", ingest, total, wall);
      ingest.perCommand(total);

      String log = "{" + prefix + ":0}:log:" + redis.cli("GET", "{" + prefix + ":0}:epoch").strip();
      long logBytes = Long.parseLong(redis.cli("MEMORY", "USAGE", log, "SAMPLES", "0").strip());
      try (RedisSegmentStore next = RedisSegmentStore.connect(options)) {
        t = System.nanoTime();
        next.acquire(0);
        double seconds = (System.nanoTime() - t) / 1e9;
        System.out.printf(Locale.ROOT, "%-62s %.1f MB of changelog in %.2f s: %.0f MB/s%n", "takeover replay",
            logBytes / 1e6, seconds, logBytes / 1e6 / seconds);
        before = redis.settledStats();
        t = System.nanoTime();
        int flushed = 0;
        for (DueSegment due : next.due(0, Instant.ofEpochMilli(Long.MAX_VALUE), Integer.MAX_VALUE)) {
          SealedSegment sealed = next.seal(due.key(), T0);
          if (sealed != null) {
            flushed += next.read(sealed).size();
            next.complete(sealed, false);
          }
        }
        wall = (System.nanoTime() - t) / 1e3 / flushed;
        Stats flush = redis.stats().minus(before);
        report("segbuf flush", flush, flushed, wall);
        flush.perCommand(flushed);
      }
    }
  }

  private static void naive(Bench redis, List<List<Span>> batches, int total) throws Exception {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      RedisAsyncCommands<byte[], byte[]> async = c.async();
      String sha = async.scriptLoad(NAIVE.getBytes(StandardCharsets.UTF_8)).get();
      Stats before = redis.settledStats();
      long t = System.nanoTime();
      for (List<Span> batch : batches) {
        List<CompletionStage<?>> replies = new ArrayList<>();
        for (Span s : batch) {
          String tag = "naive:{" + s.projectId() + ":" + s.traceId() + "}:";
          byte[][] keys = {bytes(tag + "n"), bytes("naive:{q}:0")};
          replies.add(async.evalsha(sha, ScriptOutputType.VALUE, keys, bytes(tag), bytes(Long.toHexString(s.spanId())),
              bytes(s.hasParent() && !s.isRoot() ? Long.toHexString(s.parentSpanId()) : ""), s.bytes(),
              bytes(Long.toString(T0.toEpochMilli()))));
        }
        for (CompletionStage<?> r : replies) {
          r.toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
      double wall = (System.nanoTime() - t) / 1e3 / total;
      report("naive per-span script ingest", redis.stats().minus(before), total, wall);
    } finally {
      client.shutdown();
    }
  }

  /**
   * The floor of any design that stores the payloads: per batch, one SET of its payloads as one value; or, for a
   * design that appends to a list, one RPUSH of them as one element of one list.
   */
  private static void floor(Bench redis, List<List<Span>> batches, int total, boolean list) throws Exception {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      RedisAsyncCommands<byte[], byte[]> async = c.async();
      Stats before = redis.settledStats();
      long t = System.nanoTime();
      int frame = 0;
      for (List<Span> batch : batches) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Span s : batch) {
          bytes.writeBytes(s.bytes());
        }
        CompletionStage<?> reply = list ? async.rpush(bytes("floor-list:" + batches.size()), bytes.toByteArray())
            : async.set(bytes("floor:" + frame++), bytes.toByteArray());
        reply.toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      double wall = (System.nanoTime() - t) / 1e3 / total;
      report(list ? "floor: one RPUSH of the batch's payloads to a list" : "floor: one SET of the batch's payloads",
          redis.stats().minus(before), total, wall);
      redis.cli("FLUSHDB"); // the stores' changelogs are flushed already: later phases start from the same memory
    } finally {
      client.shutdown();
    }
  }

  /** A chain arriving leaf first in small batches: per-span cost of the first and second half. */
  private static void chain(Bench redis, int n, int batchSize) {
    try (RedisSegmentStore store = RedisSegmentStore.connect(
        RedisStoreOptions.builder().uri(redis.uri()).keyPrefix("chain" + n + "-" + batchSize).build())) {
      Stats before = redis.settledStats();
      for (int half = 0; half < 2; half++) {
        for (int top = n - half * n / 2; top > n / 2 - half * n / 2; top -= batchSize) {
          List<Span> batch = new ArrayList<>();
          for (int i = top; i > top - batchSize; i--) {
            batch.add(i == 1 ? span(1).padding(900).parsed() : span(i).parent(i - 1).padding(900).parsed());
          }
          store.add(0, batch, POLICY, T0);
        }
        Stats after = redis.stats();
        report("segbuf leaf-first chain " + n + " in " + batchSize + "-span batches, half " + (half + 1),
            after.minus(before), n / 2, 0);
        before = after;
      }
    }
  }

  /** Children of one root arriving before it, in batches: per-span cost of the first and second half. */
  private static void fanOut(Bench redis, int n, int batchSize) {
    try (RedisSegmentStore store = RedisSegmentStore.connect(
        RedisStoreOptions.builder().uri(redis.uri()).keyPrefix("fanout").build())) {
      Stats before = redis.settledStats();
      int id = 2;
      for (int half = 0; half < 2; half++) {
        for (int made = 0; made < n / 2; made += batchSize) {
          List<Span> batch = new ArrayList<>();
          for (int i = 0; i < batchSize; i++) {
            batch.add(span(id++).parent(1).padding(900).parsed());
          }
          store.add(0, batch, POLICY, T0);
        }
        Stats after = redis.stats();
        report("segbuf fan-out " + n + " children in " + batchSize + "-span batches, half " + (half + 1),
            after.minus(before), n / 2, 0);
        before = after;
      }
    }
  }

  /** Spans of interleaved traces as they would come in batches of 1,000, cut into batches of {@code batchSize}. */
  private static List<List<Span>> treeBatches(int total, int batchSize) {
    List<List<Span>> batches = new ArrayList<>();
    int perTrace = BATCH / TRACES;
    List<Span> batch = new ArrayList<>();
    long[] next = new long[TRACES];
    int traceRound = 0;
    for (int made = 0; made < total; ) {
      for (int tr = 0; tr < TRACES && made < total; tr++) {
        String trace = String.format(Locale.ROOT, "%032x", traceRound * TRACES + tr + 1);
        for (int k = 0; k < perTrace && made < total; k++, made++) {
          long id = ++next[tr] + 1;
          // a root per trace round, children below it and below earlier children
          TestSpans s = id == 2 ? span(1000).trace(trace) : span(1000 + id).trace(trace).parent(1000 + id / 2);
          batch.add(s.padding(860).parsed());
        }
      }
      while (batch.size() >= batchSize) {
        batches.add(new ArrayList<>(batch.subList(0, batchSize)));
        batch = new ArrayList<>(batch.subList(batchSize, batch.size()));
      }
      if (next[0] > 500) { // 500-span segments, then new traces
        traceRound++;
        next = new long[TRACES];
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  private static void report(String what, Stats d, int spans, double wallMicrosPerSpan) {
    System.out.printf(Locale.ROOT,
        "%-62s redis cpu %6.2f us/span, %5.3f client commands/span, %5.2f commands incl. in-script/span"
            + " (%d script calls)%s%n", what,
        d.cpuMicros / spans, (double) d.processed / spans, (double) d.calls / spans, d.scriptCalls,
        wallMicrosPerSpan > 0 ? String.format(Locale.ROOT, ", client wall %.1f us/span", wallMicrosPerSpan) : "");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The server and the relay its clients go through. */
  private record Bench(RedisServers server, CommandCountingRelay relay) {
    String uri() {
      return relay.uri();
    }

    String cli(String... args) {
      return server.cli(args);
    }

    Stats stats() {
      return Stats.of(server, relay);
    }

    /**
     * The stats before a measured phase, once Redis gave back the memory it freed: a phase that reused pages an earlier
     * one freed (the floors ran after a flush) was spared the page faults the others paid.
     */
    Stats settledStats() {
      server.cli("MEMORY", "PURGE");
      return stats();
    }
  }

  /**
   * Redis CPU microseconds (user + sys); command calls from {@code INFO commandstats}, which on Redis 7.0 counts the
   * commands run inside scripts too; script calls; and the commands clients sent, counted by the relay (the
   * benchmark's own INFO calls do not go through it).
   */
  private record Stats(double cpuMicros, long calls, long scriptCalls, long processed, Map<String, long[]> commands) {
    static Stats of(RedisServers redis, CommandCountingRelay relay) {
      Map<String, long[]> commands = new TreeMap<>();
      String cpu = redis.cli("INFO", "cpu");
      double micros = (field(cpu, "used_cpu_user") + field(cpu, "used_cpu_sys")) * 1e6;
      long calls = 0;
      long scripts = 0;
      for (String line : redis.cli("INFO", "commandstats").split("\n")) {
        int at = line.indexOf("calls=");
        if (line.startsWith("cmdstat_") && at > 0) {
          long c = Long.parseLong(line.substring(at + 6, line.indexOf(',', at)));
          String name = line.substring(8, line.indexOf(':'));
          if (name.startsWith("info")) {
            continue;
          }
          if (name.startsWith("evalsha")) {
            scripts += c;
          }
          calls += c;
          int usec = line.indexOf("usec=");
          commands.put(name, new long[] {c, Long.parseLong(line.substring(usec + 5, line.indexOf(',', usec)))});
        }
      }
      return new Stats(micros, calls, scripts, relay.commands(), commands);
    }

    Stats minus(Stats o) {
      Map<String, long[]> commands = new TreeMap<>();
      this.commands.forEach((name, now) -> {
        long[] was = o.commands.getOrDefault(name, new long[2]);
        if (now[0] > was[0]) {
          commands.put(name, new long[] {now[0] - was[0], now[1] - was[1]});
        }
      });
      return new Stats(cpuMicros - o.cpuMicros, calls - o.calls, scriptCalls - o.scriptCalls, processed - o.processed,
          commands);
    }

    /** Per command as INFO commandstats counts it (a script's time includes the commands it runs). */
    void perCommand(int spans) {
      commands.forEach((name, c) -> System.out.printf(Locale.ROOT,
          "    %-20s %7d calls, %9.1f us per call, %6.3f us per span%n", name, c[0], (double) c[1] / c[0],
          (double) c[1] / spans));
    }

    private static double field(String info, String name) {
      for (String line : info.split("\r?\n")) {
        if (line.startsWith(name + ":")) {
          return Double.parseDouble(line.substring(name.length() + 1).trim());
        }
      }
      return 0;
    }
  }
}
