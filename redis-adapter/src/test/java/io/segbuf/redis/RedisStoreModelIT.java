package io.segbuf.redis;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.AddResult;
import io.segbuf.DueSegment;
import io.segbuf.FlushPolicy;
import io.segbuf.SealedSegment;
import io.segbuf.SegmentKey;
import io.segbuf.SegmentStore;
import io.segbuf.Span;
import io.segbuf.StoreUsage;
import io.segbuf.TestSpans;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis store against the in-memory reference store on random traces: random trees with missing parents,
 * explicit segment ids, roots marked {@code is_segment}, parent cycles, redeliveries and same-id spans, added in
 * random batches and orders, with flushes in between. Both must flush the same spans under the same segment ids
 * and generations, also when two processes share the work.
 */
class RedisStoreModelIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1024 * 1024);
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Instant END = Instant.ofEpochMilli(Long.MAX_VALUE);

  @Test
  void flushesWhatTheReferenceStoreFlushesOnRandomTraces() {
    check(seed -> RedisSegmentStore.connect(options("model" + seed).build()));
  }

  /**
   * Two processes that keep no replica between calls, each call made by either: every call replays the trace logs
   * that the other appended to, and rebuilds traces whose flushed frames are gone.
   */
  @Test
  void twoProcessesThatKeepNoReplicaFlushWhatTheReferenceStoreFlushes() {
    check(seed -> {
      RedisStoreOptions options = options("shared" + seed).replicaBytes(0).build();
      return new EitherStore(new Random(seed), RedisSegmentStore.connect(options),
          RedisSegmentStore.connect(options));
    });
  }

  private static RedisStoreOptions.Builder options(String prefix) {
    return RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix(prefix);
  }

  private static void check(IntFunction<SegmentStore> connect) {
    for (int seed = 1; seed <= 150; seed++) {
      Random random = new Random(seed);
      List<Span> spans = randomSpans(random);
      List<List<Span>> plan = new ArrayList<>();
      List<Span> shuffled = new ArrayList<>(spans);
      Collections.shuffle(shuffled, random);
      for (int i = 0; i < shuffled.size(); ) {
        int n = 1 + random.nextInt(Math.min(12, shuffled.size() - i));
        plan.add(new ArrayList<>(shuffled.subList(i, i + n)));
        i += n;
        if (random.nextInt(4) == 0) {
          plan.add(List.of()); // a flush
        }
        if (random.nextInt(6) == 0) {
          plan.add(List.of(spans.get(random.nextInt(spans.size())))); // a redelivery
        }
      }
      SegmentStore reference = SegmentStore.inMemory();
      try (SegmentStore store = connect.apply(seed)) {
        assertThat(run(store, plan)).as("seed %d", seed).isEqualTo(run(reference, plan));
      }
    }
  }

  /** Makes each call on one of two stores, at random. */
  private record EitherStore(Random random, SegmentStore a, SegmentStore b) implements SegmentStore {
    private SegmentStore any() {
      return random.nextBoolean() ? a : b;
    }

    @Override
    public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
      return any().add(shard, spans, policy, now);
    }

    @Override
    public List<DueSegment> due(int shard, Instant now, int limit) {
      return any().due(shard, now, limit);
    }

    @Override
    public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
      return any().seal(key, now);
    }

    @Override
    public List<Span> read(SealedSegment segment) {
      return any().read(segment);
    }

    @Override
    public void complete(SealedSegment segment, boolean chunked) {
      any().complete(segment, chunked);
    }

    @Override
    public StoreUsage usage() {
      return any().usage();
    }

    @Override
    public Set<Integer> shards() {
      return any().shards();
    }

    @Override
    public void close() {
      a.close();
      b.close();
    }
  }

  /** Every flushed generation: "segment/generation" → sorted span JSON. */
  private static Map<String, List<String>> run(SegmentStore store, List<List<Span>> plan) {
    Map<String, List<String>> flushed = new TreeMap<>();
    int duplicates = 0;
    for (List<Span> step : plan) {
      if (step.isEmpty()) {
        flush(store, flushed);
      } else {
        duplicates += store.add(0, step, POLICY, T0).duplicateCount();
      }
    }
    flush(store, flushed);
    flushed.put("duplicates", List.of(Integer.toString(duplicates)));
    return flushed;
  }

  private static void flush(SegmentStore store, Map<String, List<String>> flushed) {
    for (DueSegment due : store.due(0, END, Integer.MAX_VALUE)) {
      SealedSegment sealed = store.seal(due.key(), T0);
      if (sealed == null) {
        continue;
      }
      List<String> json = new ArrayList<>();
      boolean namedByACycle = false;
      for (Span s : store.read(sealed)) {
        json.add(new String(s.bytes(), StandardCharsets.UTF_8));
        namedByACycle |= s.spanId() == due.key().segmentId() && !s.isRoot() && !s.hasExplicitSegmentId();
      }
      Collections.sort(json);
      // a root-less parent cycle may be named by any of its spans (DESIGN.md, replay semantics)
      String id = namedByACycle ? due.key().projectId() + ":" + due.key().traceId() + ":cycle" : due.key().toString();
      flushed.put(id + "/" + sealed.generation() + (sealed.skipEnrichment() ? "/skip" : "") + "/" + json.get(0), json);
      store.complete(sealed, false);
    }
  }

  private static List<Span> randomSpans(Random random) {
    int n = 2 + random.nextInt(25);
    List<Span> spans = new ArrayList<>();
    String[] traces = {TestSpans.TRACE, "ffffffffffffffffffffffffffffffff"};
    for (int id = 1; id <= n; id++) {
      TestSpans s = span(id).trace(traces[random.nextInt(4) == 0 ? 1 : 0]);
      int kind = random.nextInt(20);
      if (kind < 2) {
        // a root
      } else if (kind < 3) {
        s.parent(1 + random.nextInt(n)).isSegment(true);
      } else if (kind < 4) {
        s.parent(1 + random.nextInt(n)).segmentId(1 + random.nextInt(n + 3));
      } else {
        s.parent(1 + random.nextInt(n + 4)); // may be missing, itself, or form a cycle
      }
      if (random.nextInt(15) == 0) {
        spans.add(span(id).trace(traces[0]).parent(1 + random.nextInt(n)).padding(3).parsed()); // same id
      }
      spans.add(s.parsed());
    }
    return spans;
  }
}
