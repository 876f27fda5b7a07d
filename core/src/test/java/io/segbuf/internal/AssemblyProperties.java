package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SegmentStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Assembly against a reference model (docs/design.md §1 to §3): every valid span lands in exactly one segment,
 * segment ids follow the tree, arrival order and batching do not matter, and deadlines follow the policy.
 */
class AssemblyProperties {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(200), 20_000);

  @Test
  void segmentsMatchTheReferenceModelWhateverTheArrivalOrder() {
    qt().withExamples(300)
        .forAll(longs().all(), integers().between(1, 80))
        .checkAssert((seed, n) -> {
          List<GenSpan> spans = generate(new Random(seed), n);
          Map<Long, List<Long>> expected = Model.segments(spans);
          assertThat(assemble(spans, new Random(seed + 1))).isEqualTo(expected);
          assertThat(assemble(spans, new Random(seed + 2))).isEqualTo(expected);
        });
  }

  @Test
  void deadlinesFollowThePolicy() {
    qt().withExamples(200)
        .forAll(longs().all(), integers().between(1, 40))
        .checkAssert((seed, n) -> {
          Random random = new Random(seed);
          List<GenSpan> spans = generate(random, n);
          Collections.shuffle(spans, random);
          SegmentStore store = SegmentStore.inMemory();
          Map<Long, Long> insertedAt = new HashMap<>();
          long t = T0.toEpochMilli();
          for (GenSpan s : spans) {
            t += random.nextInt(3) * 1000L;
            insertedAt.put(s.id, t);
            store.add(0, List.of(s.span), POLICY, Instant.ofEpochMilli(t));
          }
          Map<Long, List<Long>> segments = Model.segments(spans);
          for (Map.Entry<Long, List<Long>> segment : segments.entrySet()) {
            long label = segment.getKey();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long bytes = 0;
            for (long id : segment.getValue()) {
              long at = insertedAt.getOrDefault(id, 0L);
              first = Math.min(first, at);
              last = Math.max(last, at);
              bytes += byId(spans, id).span.size();
            }
            boolean hasRoot = segment.getValue().contains(label);
            FlushPolicy.Deadline d = POLICY.deadline(first, last, hasRoot, bytes);
            assertThat(dueLabels(store, d.atMillis() - 1)).doesNotContain(label);
            assertThat(store.due(0, Instant.ofEpochMilli(d.atMillis()), Integer.MAX_VALUE))
                .filteredOn(due -> due.key().segmentId() == label)
                .extracting(DueSegment::reason)
                .containsExactly(d.reason());
          }
        });
  }

  private static List<Long> dueLabels(SegmentStore store, long atMillis) {
    List<Long> labels = new ArrayList<>();
    for (DueSegment due : store.due(0, Instant.ofEpochMilli(atMillis), Integer.MAX_VALUE)) {
      labels.add(due.key().segmentId());
    }
    return labels;
  }

  private static GenSpan byId(List<GenSpan> spans, long id) {
    for (GenSpan s : spans) {
      if (s.id == id) {
        return s;
      }
    }
    throw new AssertionError("no span " + id);
  }

  /** Adds the spans in a random order and random batches, then flushes everything. */
  private static Map<Long, List<Long>> assemble(List<GenSpan> spans, Random random) {
    List<GenSpan> order = new ArrayList<>(spans);
    Collections.shuffle(order, random);
    SegmentStore store = SegmentStore.inMemory();
    int i = 0;
    while (i < order.size()) {
      int size = 1 + random.nextInt(order.size() - i);
      List<Span> batch = new ArrayList<>();
      for (GenSpan s : order.subList(i, i + size)) {
        batch.add(s.span);
      }
      store.add(0, batch, POLICY, T0.plusSeconds(i));
      i += size;
    }
    Map<Long, List<Long>> flushed = SegmentStoreContract.flushAll(store);
    assertThat(store.usage().spans()).isZero();
    return flushed;
  }

  /**
   * Random spans with unique ids 1..n: roots, service entries, children of earlier spans, children of missing
   * parents (ids from 1000), and explicit segment ids. Parents always come earlier, so there are no cycles.
   */
  private static List<GenSpan> generate(Random random, int n) {
    List<GenSpan> spans = new ArrayList<>();
    for (long id = 1; id <= n; id++) {
      int kind = random.nextInt(10);
      TestSpans span = TestSpans.span(id).padding(random.nextInt(3000));
      Long parent = null;
      boolean isSegment = false;
      Long explicit = null;
      if (kind == 0 || id == 1) {
        // a root
      } else if (kind == 1) {
        parent = 1 + (long) random.nextInt((int) id - 1);
        isSegment = true;
      } else if (kind == 2) {
        parent = 1000L + random.nextInt(3);
      } else if (kind == 3) {
        parent = 1 + (long) random.nextInt((int) id - 1);
        explicit = random.nextBoolean() ? 1 + (long) random.nextInt((int) id) : 1000L + random.nextInt(3);
      } else {
        parent = 1 + (long) random.nextInt((int) id - 1);
      }
      if (parent != null) {
        span.parent(parent);
      }
      if (isSegment) {
        span.isSegment(true);
      }
      if (explicit != null) {
        span.segmentId(explicit);
      }
      spans.add(new GenSpan(id, parent, isSegment, explicit, span.parsed()));
    }
    return spans;
  }

  private static final class GenSpan {
    final long id;
    final @Nullable Long parent;
    final boolean isSegment;
    final @Nullable Long explicit;
    final Span span;

    GenSpan(long id, @Nullable Long parent, boolean isSegment, @Nullable Long explicit, Span span) {
      this.id = id;
      this.parent = parent;
      this.isSegment = isSegment;
      this.explicit = explicit;
      this.span = span;
    }
  }

  /** The reference: a span's segment is its explicit id, else its own id if a root, else its parent's. */
  private static final class Model {
    static Map<Long, List<Long>> segments(List<GenSpan> spans) {
      Map<Long, GenSpan> byId = new HashMap<>();
      for (GenSpan s : spans) {
        byId.put(s.id, s);
      }
      Map<Long, List<Long>> segments = new TreeMap<>();
      for (GenSpan s : spans) {
        segments.computeIfAbsent(segmentOf(s, byId), k -> new ArrayList<>()).add(s.id);
      }
      segments.values().forEach(Collections::sort);
      return segments;
    }

    static long segmentOf(GenSpan s, Map<Long, GenSpan> byId) {
      while (true) {
        if (s.explicit != null) {
          return s.explicit;
        }
        if (s.parent == null || s.isSegment) {
          return s.id;
        }
        GenSpan parent = byId.get(s.parent);
        if (parent == null) {
          return s.parent;
        }
        s = parent;
      }
    }
  }
}
