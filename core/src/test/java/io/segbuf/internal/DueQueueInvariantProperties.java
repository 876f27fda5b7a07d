package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * After every call of a random history (trees with missing parents, explicit segment ids, cycles, same-id spans,
 * redeliveries, two shards, seals left open, continuations, traces and flushed spans forgotten, snapshots restored),
 * each shard's due queue holds exactly the segments with something buffered, in deadline order, an open segment at
 * its open deadline: none is lost to the queue (it would never be flushed), none is listed after it emptied.
 */
class DueQueueInvariantProperties {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(200), 3_000);

  @Test
  void theQueueHoldsExactlyTheSegmentsWithSomethingBuffered() {
    qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> run(new Random(seed)));
  }

  private static void run(Random random) {
    int recently = random.nextInt(40);
    InMemorySegmentStore store = new InMemorySegmentStore(recently, random.nextInt(6));
    List<Span> spans = TestSpans.randomTrees(random, 60, 300, TestSpans.TRACE, "ffffffffffffffffffffffffffffffff",
        "00000000000000000000000000000001");
    List<Span> shuffled = new ArrayList<>(spans);
    Collections.shuffle(shuffled, random);
    List<SealedSegment> leftSealed = new ArrayList<>();
    long now = T0.toEpochMilli();
    for (int i = 0; i < shuffled.size(); ) {
      int n = 1 + random.nextInt(Math.min(8, shuffled.size() - i));
      List<Span> batch = new ArrayList<>(shuffled.subList(i, i + n));
      i += n;
      if (random.nextInt(4) == 0) {
        batch.add(spans.get(random.nextInt(spans.size()))); // a redelivery
      }
      now += random.nextInt(4) == 0 ? 100_000L : random.nextInt(3) * 5_000L - 2_000L; // the clock may step back
      Instant at = Instant.ofEpochMilli(now);
      store.add(random.nextInt(5) == 0 ? 1 : 0, batch, POLICY, at);
      check(store);
      int shard = random.nextInt(5) == 0 ? 1 : 0;
      for (DueSegment due : store.due(shard, at, 1 + random.nextInt(6))) {
        SealedSegment sealed = store.seal(due.key(), at);
        check(store);
        if (sealed == null) {
          continue;
        }
        if (random.nextInt(4) == 0) {
          leftSealed.add(sealed);
        } else {
          store.complete(sealed, random.nextInt(4) == 0);
          check(store);
        }
      }
      if (!leftSealed.isEmpty() && random.nextInt(3) == 0) {
        store.complete(leftSealed.remove(random.nextInt(leftSealed.size())), false);
        check(store);
      }
      if (random.nextInt(6) == 0) {
        store = InMemorySegmentStore.restore(store.snapshot(), recently);
        check(store);
      }
    }
    for (SealedSegment sealed : leftSealed) {
      store.complete(sealed, false);
    }
    Instant end = Instant.ofEpochMilli(now + 10_000_000);
    for (int shard = 0; shard <= 1; shard++) {
      for (DueSegment due : store.due(shard, end, Integer.MAX_VALUE)) {
        SealedSegment sealed = store.seal(due.key(), end);
        assertThat(sealed).as("a listed segment holds spans").isNotNull();
        store.complete(sealed, false);
        check(store);
      }
    }
    assertThat(store.usage().spans()).as("everything came out").isZero();
    assertThat(store.shards()).isEmpty();
  }

  private static void check(InMemorySegmentStore store) {
    for (int shard = 0; shard <= 1; shard++) {
      List<BufferedSegment> expected = new ArrayList<>();
      long active = 0;
      for (TraceAssembly trace : store.assembly.traces.values()) {
        for (BufferedSegment segment : trace.segments.values()) {
          assertThat(segment.touched).isFalse();
          if (segment.hasBuffered() && segment.shard == shard) {
            expected.add(segment);
            if (segment.sealed == null) {
              assertThat(segment.deadlineMillis).as("open deadline of %s", segment.key)
                  .isEqualTo(segment.openDeadlineMillis);
            }
          } else if (segment.shard == shard) {
            assertThat(segment.queued()).as("%s queued with nothing buffered", segment.key).isFalse();
          }
        }
      }
      expected.sort(DeadlineQueue.BY_DEADLINE);
      DeadlineQueue queue = store.assembly.queues.get(shard);
      List<BufferedSegment> listed =
          queue == null ? List.of() : queue.due(Long.MAX_VALUE, Integer.MAX_VALUE);
      assertThat(listed).as("shard %d's queue", shard).containsExactlyElementsOf(expected);
    }
  }
}
