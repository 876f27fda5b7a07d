package io.segbuf.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link IngestBenchmark}'s variants timed by this thread's CPU time, for a shared machine where JMH's error bars
 * are as wide as the scores: the variants run interleaved, round after round in one JVM, over the same spans, and
 * the best round of each (after the first third, as warm-up) is reported per span, with its ratio to databind.
 * Run: {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar io.segbuf.benchmarks.IngestCpuTime
 * [spanBytes] [rounds]}.
 */
public final class IngestCpuTime {
  private static final int REPEATS = 5;

  private IngestCpuTime() {}

  public static void main(String[] args) throws Exception {
    IngestBenchmark bench = new IngestBenchmark();
    bench.spanBytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 18;
    bench.setUp();
    Blackhole bh = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put("databind", () -> bench.databindParseBaseline(bh));
    variants.put("tokenize floor", () -> bh.consume(bench.tokenizeFloor()));
    variants.put("parse", () -> bench.parse(bh));
    variants.put("ingest", () -> bh.consume(bench.ingest()));
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Map<String, List<Double>> nanosPerSpan = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Variant> v : variants.entrySet()) {
        long start = cpu.getCurrentThreadCpuTime();
        for (int k = 0; k < REPEATS; k++) {
          v.getValue().run();
        }
        double perSpan = (cpu.getCurrentThreadCpuTime() - start) / (double) REPEATS / IngestBenchmark.SPANS;
        if (round >= rounds / 3) {
          nanosPerSpan.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(perSpan);
        }
      }
    }
    double databind = Collections.min(nanosPerSpan.get("databind"));
    System.out.printf(Locale.ROOT, "%d-byte spans, best of %d rounds per variant, CPU time per span:%n",
        bench.spanBytes, rounds - rounds / 3);
    nanosPerSpan.forEach((name, times) -> {
      double best = Collections.min(times);
      System.out.printf(Locale.ROOT, "  %-15s %,9.0f ns   databind / this %.2fx%n", name, best, databind / best);
    });
  }

  /** One benchmark method, run once. */
  private interface Variant {
    void run() throws Exception;
  }
}
