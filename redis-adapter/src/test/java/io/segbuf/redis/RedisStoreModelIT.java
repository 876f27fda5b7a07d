package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.END;
import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.connect;
import static io.segbuf.redis.RedisStoreFixture.options;
import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis store against the in-memory reference store on random traces: random trees with missing parents,
 * explicit segment ids, roots marked {@code is_segment}, parent cycles, redeliveries and same-id spans, added in
 * random batches and orders, with flushes in between. Both must flush the same spans under the same segment ids
 * and generations, also when processes take the shard over from each other at random points.
 */
class RedisStoreModelIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();


  @Test
  void flushesWhatTheReferenceStoreFlushesOnRandomTraces() {
    check(1, (seed, random) -> new Owners(random, 0, connect(redis.get(), "model" + seed)));
  }

  /**
   * Processes take the shard over from each other at random points, between any two calls and between a seal and
   * its completion; the former owner, now a zombie, tries each change first and is refused. The flushes stay the
   * reference store's: the same segment ids, generations, duplicates and late-span memory.
   */
  @Test
  void takeoversAtRandomPointsFlushWhatTheReferenceStoreFlushes() {
    int refused = check(1, (seed, random) -> new Owners(random, 3,
        connect(redis.get(), "takeover" + seed),
        connect(redis.get(), "takeover" + seed), connect(redis.get(), "takeover" + seed)));
    assertThat(refused).as("zombies tried changes").isGreaterThan(100);
  }

  /** As above, with the changelog compacted into a snapshot every kilobyte or so: takeovers replay snapshot + tail. */
  @Test
  void takeoversOfCompactedChangelogsFlushWhatTheReferenceStoreFlushes() {
    int refused = check(1, (seed, random) -> new Owners(random, 3,
        RedisSegmentStore.connect(options(redis.get(), "compact" + seed).compactionBytes(1024).build()),
        RedisSegmentStore.connect(options(redis.get(), "compact" + seed).compactionBytes(1024).build())));
    assertThat(refused).as("zombies tried changes").isGreaterThan(100);
  }

  /**
   * As above, with spans of up to 8 KB: a batch goes to the changelog as several records (each added to the store
   * as a call of its own), and takeovers replay them record by record.
   */
  @Test
  void takeoversOfBatchesCutInSeveralRecordsFlushWhatTheReferenceStoreFlushes() {
    int refused = check(8_000, (seed, random) -> new Owners(random, 3,
        RedisSegmentStore.connect(options(redis.get(), "parts" + seed).compactionBytes(64 * 1024).build()),
        connect(redis.get(), "parts" + seed)));
    assertThat(refused).as("zombies tried changes").isGreaterThan(100);
  }

  /** Runs 150 random plans; returns how many changes zombies tried and had refused. */
  private static int check(int maxPadding, BiFunction<Integer, Random, Owners> connect) {
    int refused = 0;
    for (int seed = 1; seed <= 150; seed++) {
      Random random = new Random(seed);
      List<Span> spans = randomSpans(random, maxPadding);
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
      Owners reference = new Owners(random, 0, SegmentStore.inMemory());
      try (Owners owners = connect.apply(seed, random)) {
        assertThat(run(owners, plan)).as("seed %d", seed).isEqualTo(run(reference, plan));
        refused += owners.refused;
      }
    }
    return refused;
  }

  /**
   * Stores of several processes, one of which owns shard 0. Before each call, one in {@code takeoverOdds} (never
   * when 0) another takes the shard over; the former owner then tries the next change first and must be refused.
   */
  private static final class Owners implements AutoCloseable {
    final Random random;
    final int takeoverOdds;
    final SegmentStore[] stores;
    SegmentStore owner;
    @Nullable SegmentStore zombie;
    int refused;

    Owners(Random random, int takeoverOdds, SegmentStore... stores) {
      this.random = random;
      this.takeoverOdds = takeoverOdds;
      this.stores = stores;
      this.owner = stores[0];
      owner.acquire(0); // a store that never held the shard would take it over at its first use, as no zombie can
    }

    /** The store to call now, after a takeover at random. */
    SegmentStore owner() {
      if (takeoverOdds > 0 && random.nextInt(takeoverOdds) == 0) {
        SegmentStore next = stores[random.nextInt(stores.length)];
        next.acquire(0);
        zombie = next == owner ? null : owner;
        owner = next;
      }
      return owner;
    }

    /**
     * Lets the zombie try a change first: it must be refused, or (an add of spans it had stored before the takeover,
     * all duplicates) need nothing from Redis; either way it changes nothing.
     */
    void zombieTries(Consumer<SegmentStore> change) {
      SegmentStore z = zombie;
      if (z != null) {
        try {
          change.accept(z);
        } catch (ShardFencedException e) {
          refused++;
          zombie = null;
        }
      }
    }

    @Override
    public void close() {
      for (SegmentStore s : stores) {
        s.close();
      }
    }
  }

  /** Every flushed generation: "segment/generation" → sorted span JSON. */
  private static Map<String, List<String>> run(Owners owners, List<List<Span>> plan) {
    Map<String, List<String>> flushed = new TreeMap<>();
    int duplicates = 0;
    for (List<Span> step : plan) {
      if (step.isEmpty()) {
        flush(owners, flushed);
      } else {
        SegmentStore store = owners.owner();
        owners.zombieTries(z -> assertThat(z.add(0, step, POLICY, T0).duplicateCount())
            .as("a zombie's add that was not refused").isEqualTo(step.size()));
        duplicates += store.add(0, step, POLICY, T0).duplicateCount();
      }
    }
    flush(owners, flushed);
    flushed.put("duplicates", List.of(Integer.toString(duplicates)));
    return flushed;
  }

  private static void flush(Owners owners, Map<String, List<String>> flushed) {
    for (DueSegment due : owners.owner().due(0, END, Integer.MAX_VALUE)) {
      SealedSegment sealed = owners.owner().seal(due.key(), T0);
      if (sealed == null) {
        continue;
      }
      List<String> json = new ArrayList<>();
      boolean namedByACycle = false;
      SegmentStore store = owners.owner(); // perhaps another owner than the one that sealed
      owners.zombieTries(z -> {
        z.complete(sealed, false);
        fail("a zombie's completion must be refused");
      });
      for (Span s : store.read(sealed)) {
        json.add(new String(s.bytes(), StandardCharsets.UTF_8));
        namedByACycle |= s.spanId() == due.key().segmentId() && !s.isRoot() && !s.hasExplicitSegmentId();
      }
      Collections.sort(json);
      // a root-less parent cycle may be named by any of its spans (docs/design.md §5, replay semantics)
      String id = namedByACycle ? due.key().projectId() + ":" + due.key().traceId() + ":cycle" : due.key().toString();
      flushed.put(id + "/" + sealed.generation() + (sealed.skipEnrichment() ? "/skip" : "") + "/" + json.get(0), json);
      // chunked by the content alone, so that both runs choose alike: later generations must say skip_enrichment
      store.complete(sealed, json.get(0).hashCode() % 3 == 0);
    }
  }

  private static List<Span> randomSpans(Random random, int maxPadding) {
    return TestSpans.randomTrees(random, 26, maxPadding, TestSpans.TRACE, TestSpans.TRACE, TestSpans.TRACE,
        "ffffffffffffffffffffffffffffffff");
  }

}
