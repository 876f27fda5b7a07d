package io.segbuf.spi;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushPolicy;
import io.segbuf.FlushReason;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SegmentStore} must meet. Shipped in core's test-jar: a store's test extends it and
 * provides {@link #newStore()}.
 */
public abstract class SegmentStoreContract {
  protected static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  protected static final Instant END = Instant.ofEpochMilli(Long.MAX_VALUE);
  protected static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1024 * 1024);
  protected static final TraceId TRACE = TraceId.parse(TestSpans.TRACE);

  protected SegmentStore store;

  /** A new, empty store. */
  protected abstract SegmentStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  protected static SegmentKey key(long segmentId) {
    return new SegmentKey(TestSpans.PROJECT, TRACE, segmentId);
  }

  protected AddResult add(Instant now, TestSpans... spans) {
    return store.add(0, TestSpans.parsed(spans), POLICY, now);
  }

  /** Seals, reads and completes every segment of shard 0: segment id → the span ids flushed, sorted. */
  protected Map<Long, List<Long>> flushAll() {
    return flushAll(store);
  }

  /** Seals, reads and completes every segment of shard 0 of {@code store}: segment id → sorted span ids. */
  public static Map<Long, List<Long>> flushAll(SegmentStore store) {
    Map<Long, List<Long>> flushed = new TreeMap<>();
    for (DueSegment due : store.due(0, END, Integer.MAX_VALUE)) {
      SealedSegment sealed = store.seal(due.key(), T0);
      assertThat(sealed).isNotNull();
      List<Long> ids = flushed.computeIfAbsent(due.key().segmentId(), k -> new ArrayList<>());
      for (Span s : store.read(sealed)) {
        ids.add(s.spanId());
      }
      Collections.sort(ids);
      store.complete(sealed, false);
    }
    return flushed;
  }

  @Test
  void rootAndChildrenFormOneSegment() {
    add(T0, span(1), span(2).parent(1), span(3).parent(2));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L, 3L)));
  }

  @Test
  void changesMadeWithoutWaitingForTheStoreAreTheSameChangesAndHeldOnceSynced() {
    SegmentStore unacknowledged = store.unacknowledged();
    List<Span> first = TestSpans.parsed(span(3).parent(2), span(4).parent(2), span(3).parent(2));
    AddResult added = unacknowledged.add(0, first, POLICY, T0);
    unacknowledged.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0.plusMillis(1));
    unacknowledged.add(0, TestSpans.parsed(span(1)), POLICY, T0.plusMillis(2));
    assertThat(added.isDuplicate(2)).isTrue();
    assertThat(flushAll(unacknowledged)).isEqualTo(Map.of(1L, List.of(1L, 2L, 3L, 4L)));
    store.sync();
    assertThat(store.usage().spans()).isZero();
  }

  @Test
  void childrenBeforeParentsMergeWhenTheParentArrives() {
    add(T0, span(3).parent(2));
    add(T0, span(4).parent(2));
    add(T0, span(2).parent(1));
    add(T0, span(1));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L, 3L, 4L)));
  }

  @Test
  void orphanSubtreeIsNamedByTopMostMissingParent() {
    add(T0, span(3).parent(2), span(2).parent(9));
    assertThat(flushAll()).isEqualTo(Map.of(9L, List.of(2L, 3L)));
  }

  @Test
  void twoServiceEntryRootsInOneTraceFormTwoSegments() {
    add(T0, span(1), span(2).parent(1), span(3).parent(2).isSegment(true), span(4).parent(3));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L), 3L, List.of(3L, 4L)));
  }

  @Test
  void explicitSegmentIdOverridesTheTree() {
    add(T0, span(1), span(2).parent(1).segmentId(5), span(3).parent(2), span(5));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L), 5L, List.of(2L, 3L, 5L)));
  }

  @Test
  void byteIdenticalRedeliveryIsStoredOnce() {
    AddResult first = add(T0, span(1), span(2).parent(1), span(2).parent(1));
    AddResult second = add(T0, span(1));
    assertThat(first.isDuplicate(2)).isTrue();
    assertThat(first.duplicateCount()).isEqualTo(1);
    assertThat(second.isDuplicate(0)).isTrue();
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L)));
  }

  @Test
  void sameSpanIdWithOtherBytesIsKept() {
    AddResult added = add(T0, span(1), span(2).parent(1), span(2).parent(1).padding(3));
    assertThat(added.duplicateCount()).isZero();
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L, 2L)));
  }

  @Test
  void parentCycleTerminatesAsOneSegmentNamedByACycleSpan() {
    add(T0, span(1).parent(2), span(2).parent(3), span(3).parent(1), span(4).parent(3));
    Map<Long, List<Long>> flushed = flushAll();
    assertThat(flushed).hasSize(1);
    assertThat(flushed.keySet().iterator().next()).isIn(1L, 2L, 3L);
    assertThat(flushed.values().iterator().next()).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void selfParentIsARoot() {
    add(T0, span(1).parent(1), span(2).parent(1));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L)));
  }

  /**
   * How many spans {@link #leafFirstChainOfTenThousandFormsOneSegment} adds one call at a time: a store that
   * rebuilds a trace on every call (a configuration for tests of its replay) may take fewer.
   */
  protected int leafFirstChainLength() {
    return 10_000;
  }

  @Test
  void leafFirstChainOfTenThousandFormsOneSegment() {
    int n = leafFirstChainLength();
    for (int i = n; i >= 2; i--) {
      add(T0, span(i).parent(i - 1));
    }
    add(T0, span(1));
    Map<Long, List<Long>> flushed = flushAll();
    assertThat(flushed).containsOnlyKeys(1L);
    assertThat(flushed.get(1L)).hasSize(n).doesNotHaveDuplicates();
  }

  @Test
  void fiftyThousandChildrenOfOneRootFormOneSegment() {
    int n = 50_000;
    List<TestSpans> batch = new ArrayList<>();
    for (int i = 2; i <= n + 1; i++) {
      batch.add(span(i).parent(1));
      if (batch.size() == 1000) {
        add(T0, batch.toArray(new TestSpans[0]));
        batch.clear();
      }
    }
    add(T0, span(1));
    Map<Long, List<Long>> flushed = flushAll();
    assertThat(flushed).containsOnlyKeys(1L);
    assertThat(flushed.get(1L)).hasSize(n + 1);
  }

  @Test
  void rootTimeoutAppliesOnceTheRootHasArrived() {
    add(T0, span(1), span(2).parent(1));
    assertThat(store.due(0, T0.plusSeconds(9), 10)).isEmpty();
    assertThat(store.due(0, T0.plusSeconds(10), 10))
        .containsExactly(new DueSegment(key(1), FlushReason.ROOT_TIMEOUT));
  }

  @Test
  void idleTimeoutAppliesWhileTheRootIsMissing() {
    add(T0, span(2).parent(1));
    add(T0.plusSeconds(30), span(3).parent(1));
    assertThat(store.due(0, T0.plusSeconds(89), 10)).isEmpty();
    assertThat(store.due(0, T0.plusSeconds(90), 10))
        .containsExactly(new DueSegment(key(1), FlushReason.IDLE_TIMEOUT));
  }

  @Test
  void segmentReachingMaxBytesIsDueAtOnce() {
    add(T0, span(1).padding(600_000), span(2).parent(1).padding(600_000));
    assertThat(store.due(0, T0, 10)).containsExactly(new DueSegment(key(1), FlushReason.SIZE));
  }

  @Test
  void maxLifetimeBoundsASegmentThatKeepsGrowing() {
    FlushPolicy lifetime = new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(25),
        1024 * 1024);
    for (int s = 0; s <= 30; s += 5) {
      store.add(0, List.of(span(100 + s).parent(1).parsed()), lifetime, T0.plusSeconds(s));
    }
    assertThat(store.due(0, T0.plusSeconds(24), 10)).isEmpty();
    assertThat(store.due(0, T0.plusSeconds(25), 10))
        .containsExactly(new DueSegment(key(1), FlushReason.MAX_LIFETIME));
  }

  @Test
  void dueSegmentsComeOldestDeadlineFirstUpToTheLimit() {
    add(T0.plusSeconds(2), span(20));
    add(T0, span(10));
    add(T0.plusSeconds(1), span(30));
    List<DueSegment> due = store.due(0, T0.plusSeconds(100), 2);
    assertThat(due).extracting(d -> d.key().segmentId()).containsExactly(10L, 30L);
  }

  @Test
  void shardsHaveSeparateQueues() {
    store.add(1, List.of(span(1).parsed()), POLICY, T0);
    store.add(2, List.of(span(2).trace("ffffffffffffffffffffffffffffffff").parsed()), POLICY, T0);
    assertThat(store.due(1, END, 10)).extracting(d -> d.key().segmentId()).containsExactly(1L);
    assertThat(store.due(2, END, 10)).extracting(d -> d.key().segmentId()).containsExactly(2L);
    assertThat(store.due(0, END, 10)).isEmpty();
    assertThat(store.shards()).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void spansArrivingAfterTheSealGoToTheNextGeneration() {
    add(T0, span(1), span(2).parent(1));
    SealedSegment sealed = store.seal(key(1), T0);
    assertThat(sealed).isNotNull();
    add(T0, span(3).parent(1));
    assertThat(store.seal(key(1), T0)).isEqualTo(sealed);
    assertThat(store.read(sealed)).extracting(Span::spanId).containsExactlyInAnyOrder(1L, 2L);
    store.complete(sealed, false);

    SealedSegment next = store.seal(key(1), T0);
    assertThat(next).isNotNull();
    assertThat(next.generation()).isEqualTo(sealed.generation() + 1);
    assertThat(store.read(next)).extracting(Span::spanId).containsExactly(3L);
  }

  @Test
  void storeThatIsNotDurableReadsBackTheSpansItWasGivenWithTheirPositions() {
    if (store.durable()) {
      return; // a durable store keeps bytes, not objects: its consumer commits after add instead
    }
    List<Span> spans = TestSpans.parsed(span(1), span(2).parent(1));
    TestSpans.positioned(spans.get(0), 7);
    TestSpans.positioned(spans.get(1), 8);
    store.add(0, spans, POLICY, T0);
    SealedSegment sealed = store.seal(key(1), T0);
    assertThat(sealed).isNotNull();
    assertThat(store.read(sealed)).extracting(Span::position).containsExactlyInAnyOrder(7L, 8L);
  }

  @Test
  void nothingIsDeletedBeforeComplete() {
    add(T0, span(1), span(2).parent(1));
    SealedSegment sealed = store.seal(key(1), T0);
    assertThat(sealed).isNotNull();
    assertThat(store.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));
    assertThat(store.usage().spans()).isEqualTo(2);
    assertThat(store.read(sealed)).hasSize(2);
    store.complete(sealed, false);
    assertThat(store.usage().spans()).isZero();
    assertThat(store.due(0, END, 10)).isEmpty();
    assertThat(store.seal(key(1), T0)).isNull();
  }

  /**
   * Sealing segments together seals each as sealing it alone does: null for a segment the store does not hold, the
   * same generations when sealed again (together or alone) before they are completed, spans added meanwhile in the
   * next generation.
   */
  @Test
  void segmentsSealedTogetherAreEachSealed() {
    add(T0, span(1), span(2), span(3).parent(2));
    List<SealedSegment> sealed = store.seal(List.of(key(2), key(9), key(1)), T0);
    assertThat(sealed).hasSize(3);
    assertThat(sealed.get(1)).as("a segment the store does not hold").isNull();
    SealedSegment two = sealed.get(0);
    SealedSegment one = sealed.get(2);
    assertThat(two).isNotNull();
    assertThat(one).isNotNull();
    assertThat(store.read(two)).extracting(Span::spanId).containsExactlyInAnyOrder(2L, 3L);
    assertThat(store.read(one)).extracting(Span::spanId).containsExactly(1L);

    add(T0, span(4).parent(2));
    assertThat(store.seal(List.of(key(1), key(2)), T0)).containsExactly(one, two);
    assertThat(store.seal(key(2), T0)).isEqualTo(two);
    assertThat(store.seal(List.of(), T0)).isEmpty();
    store.complete(List.of(new Completion(one, false), new Completion(two, false)));

    List<SealedSegment> next = store.seal(List.of(key(1), key(2)), T0);
    assertThat(next.get(0)).as("segment 1 holds nothing more").isNull();
    SealedSegment continuation = next.get(1);
    assertThat(continuation).isNotNull();
    assertThat(continuation.generation()).isEqualTo(two.generation() + 1);
    assertThat(store.read(continuation)).extracting(Span::spanId).containsExactly(4L);
  }

  /** Completing generations together completes each, with its own chunked flag; completing one again is harmless. */
  @Test
  void generationsCompletedTogetherAreEachCompleted() {
    add(T0, span(1), span(2), span(3).parent(2));
    SealedSegment first = store.seal(key(1), T0);
    SealedSegment second = store.seal(key(2), T0);
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    store.complete(List.of(new Completion(first, true), new Completion(second, false)));
    assertThat(store.usage().spans()).isZero();
    assertThat(store.due(0, END, 10)).isEmpty();
    store.complete(List.of(new Completion(first, true)));
    store.complete(second, false);
    assertThat(store.usage().spans()).isZero();

    add(T0, span(4).parent(1), span(5).parent(2));
    SealedSegment afterChunked = store.seal(key(1), T0);
    SealedSegment afterWhole = store.seal(key(2), T0);
    assertThat(afterChunked).isNotNull();
    assertThat(afterWhole).isNotNull();
    assertThat(afterChunked.skipEnrichment()).isTrue();
    assertThat(afterWhole.skipEnrichment()).isFalse();
  }

  @Test
  void lateChildOfAFlushedRootJoinsAContinuationWithItsSegmentId() {
    add(T0, span(1), span(2).parent(1));
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L)));
    add(T0.plusSeconds(100), span(3).parent(2));
    SealedSegment continuation = store.seal(key(1), T0.plusSeconds(200));
    assertThat(continuation).isNotNull();
    assertThat(continuation.generation()).isEqualTo(1);
    assertThat(continuation.isContinuation()).isTrue();
    assertThat(store.read(continuation)).extracting(Span::spanId).containsExactly(3L);
  }

  @Test
  void continuationOfAChunkedSegmentSkipsEnrichment() {
    add(T0, span(1));
    SealedSegment first = store.seal(key(1), T0);
    assertThat(first).isNotNull();
    assertThat(first.skipEnrichment()).isFalse();
    store.complete(first, true);
    add(T0, span(2).parent(1));
    SealedSegment next = store.seal(key(1), T0);
    assertThat(next).isNotNull();
    assertThat(next.skipEnrichment()).isTrue();
  }

  @Test
  void usageCountsBufferedSegmentsSpansAndBytes() {
    List<Span> spans = TestSpans.parsed(span(1), span(2).parent(1), span(3).trace("ffffffffffffffffffffffffffffffff"));
    store.add(0, spans, POLICY, T0);
    StoreUsage usage = store.usage();
    assertThat(usage.segments()).isEqualTo(2);
    assertThat(usage.spans()).isEqualTo(3);
    assertThat(usage.bytes()).isEqualTo(spans.stream().mapToLong(Span::size).sum());
  }

  @Test
  void segmentsOfDifferentProjectsAndTracesNeverMix() {
    add(T0, span(1), span(2).parent(1).project(8), span(3).parent(1).trace("ffffffffffffffffffffffffffffffff"));
    Set<SegmentKey> keys = store.due(0, END, 10).stream().map(DueSegment::key).collect(Collectors.toSet());
    assertThat(keys).hasSize(3);
    assertThat(new HashSet<>(keys.stream().map(SegmentKey::segmentId).collect(Collectors.toList())))
        .containsExactlyInAnyOrder(1L);
  }
}
