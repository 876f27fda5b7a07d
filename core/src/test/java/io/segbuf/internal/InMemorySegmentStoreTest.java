package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SealedSegment;
import io.segbuf.SegmentStore;
import io.segbuf.SegmentStoreContract;
import io.segbuf.Span;
import io.segbuf.StoreUsage;
import io.segbuf.TestSpans;
import io.segbuf.KnownSpan;
import io.segbuf.QueueChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemorySegmentStoreTest extends SegmentStoreContract {

  @Override
  protected SegmentStore newStore() {
    return SegmentStore.inMemory();
  }

  @Test
  void redeliveryAfterFlushIsRecognisedAsDuplicate() {
    add(T0, span(1), span(2).parent(1));
    flushAll();
    assertThat(add(T0, span(2).parent(1)).isDuplicate(0)).isTrue();
    assertThat(add(T0, span(2).parent(1).padding(1)).isDuplicate(0)).isFalse();
  }

  @Test
  void redeliveryOfASecondVersionOfASpanIdIsADuplicate() {
    add(T0, span(1), span(2).parent(1));
    assertThat(add(T0, span(2).parent(1).padding(1)).isDuplicate(0)).isFalse();
    assertThat(add(T0, span(2).parent(1).padding(1)).isDuplicate(0)).isTrue(); // while buffered
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(1L, 2L, 2L)));
    assertThat(add(T0, span(2).parent(1).padding(1)).isDuplicate(0)).isTrue(); // and once flushed
    assertThat(add(T0, span(2).parent(1)).isDuplicate(0)).isTrue();
    assertThat(add(T0, span(2).parent(1).padding(2)).isDuplicate(0)).isFalse();
  }

  @Test
  void forgottenTraceStartsAFreshSegmentNamedByTheParent() {
    store = new InMemorySegmentStore(0);
    add(T0, span(1), span(2).parent(1));
    flushAll();
    add(T0, span(3).parent(2));
    assertThat(flushAll()).isEqualTo(Map.of(2L, List.of(3L)));
  }

  @Test
  void evictedTraceStartsItsSegmentAgainAtGenerationZero() {
    store = new InMemorySegmentStore(3);
    add(T0, span(1), span(2).parent(1));
    flushAll();
    add(T0, span(10).trace("ffffffffffffffffffffffffffffffff"), span(11).parent(10).trace("ffffffffffffffffffffffffffffffff"));
    flushAll(); // 4 ids remembered now: the first trace is forgotten
    add(T0, span(3).parent(1));
    SealedSegment late = store.seal(key(1), T0);
    assertThat(late).isNotNull();
    // Generation 0 of segment 1 a second time, with other spans: its messages still get flush ids of their own, a
    // digest of their bytes (SpanBufferTest.lateChildOfAForgottenTraceGetsAFlushIdOfItsOwn).
    assertThat(late.generation()).isZero();
  }

  @Test
  void queueChangesTellEachTouchedSegmentsEntry() {
    InMemorySegmentStore memory = new InMemorySegmentStore(100);
    List<String> told = new ArrayList<>();
    QueueChanges record = (k, shard, deadline, reason, spans, bytes) -> told.add(k.segmentId() + "@" + shard + " "
        + (spans == 0 ? "no entry" : (deadline - T0.toEpochMilli()) + " " + reason + " " + spans));
    memory.add(3, TestSpans.parsed(span(1), span(2).parent(1), span(5).parent(4)), POLICY, T0, record);
    assertThat(told).containsExactlyInAnyOrder("1@3 10000 ROOT_TIMEOUT 2", "4@3 60000 IDLE_TIMEOUT 1");
    told.clear();
    SealedSegment sealed = memory.seal(key(1), T0, record);
    assertThat(told).containsExactly("1@3 10000 ROOT_TIMEOUT 2"); // the entry keeps its place
    told.clear();
    memory.add(3, TestSpans.parsed(span(4).parent(2)), POLICY, T0.plusSeconds(5), record);
    assertThat(told).containsExactlyInAnyOrder("1@3 10000 ROOT_TIMEOUT 4", "4@3 no entry");
    told.clear();
    assertThat(sealed).isNotNull();
    assertThat(memory.complete(key(1), sealed.generation(), false, record)).extracting(Span::spanId)
        .containsExactlyInAnyOrder(1L, 2L);
    assertThat(told).containsExactly("1@3 15000 ROOT_TIMEOUT 2");
    told.clear();
    memory.report(TestSpans.PROJECT, TRACE, record);
    assertThat(told).containsExactly("1@3 15000 ROOT_TIMEOUT 2");
  }

  @Test
  void aFlushedHistoryReplayedWithoutPayloadsPlacesLateSpansAsTheOriginalDid() {
    List<Span> history = TestSpans.parsed(span(1), span(2).parent(1), span(3).parent(2));
    InMemorySegmentStore original = new InMemorySegmentStore(100);
    original.add(0, history, POLICY, T0);
    for (int generation = 0; generation < 2; generation++) {
      SealedSegment sealed = original.seal(key(1), T0);
      assertThat(sealed).isNotNull();
      original.complete(sealed, generation == 0);
      original.add(0, TestSpans.parsed(span(10 + generation).parent(3)), POLICY, T0);
    }

    InMemorySegmentStore replayed = new InMemorySegmentStore(100);
    List<KnownSpan> known = new ArrayList<>();
    for (Span s : history) {
      known.add(KnownSpan.of(s));
    }
    known.add(KnownSpan.of(TestSpans.parsed(span(10).parent(3)).get(0)));
    replayed.addFlushed(0, TestSpans.PROJECT, TRACE, known, POLICY, QueueChanges.NONE);
    assertThat(replayed.seal(key(1), T0)).isNull(); // nothing open: its spans were flushed
    assertThat(replayed.complete(key(1), 0, true, QueueChanges.NONE)).isEmpty();
    assertThat(replayed.complete(key(1), 1, false, QueueChanges.NONE)).isEmpty();
    assertThat(replayed.buffers(TestSpans.PROJECT, TRACE)).isFalse();

    for (InMemorySegmentStore store : List.of(original, replayed)) {
      assertThat(store.add(0, history.subList(1, 2), POLICY, T0).isDuplicate(0)).isTrue();
      store.add(0, TestSpans.parsed(span(20).parent(10)), POLICY, T0);
      SealedSegment late = store.seal(key(1), T0);
      assertThat(late).isNotNull();
      assertThat(List.of(late.generation(), late.skipEnrichment())).isEqualTo(List.of(2, true));
      assertThat(store.read(late)).extracting(Span::spanId).contains(20L);
    }
  }

  @Test
  void aFlushedHistoryWithTwoVersionsOfASpanIdRecognisesRedeliveriesOfBoth() {
    List<Span> versions = TestSpans.parsed(span(1), span(2).parent(1), span(2).parent(1).padding(3));
    InMemorySegmentStore replayed = new InMemorySegmentStore(100);
    replayed.addFlushed(0, TestSpans.PROJECT, TRACE, versions.stream().map(KnownSpan::of).toList(), POLICY,
        QueueChanges.NONE);
    assertThat(replayed.add(0, versions.subList(1, 3), POLICY, T0).duplicateCount()).isEqualTo(2);
  }

  @Test
  void aForgottenTraceLeavesNothingCounted() {
    InMemorySegmentStore memory = new InMemorySegmentStore(100);
    memory.add(0, TestSpans.parsed(span(1), span(2).parent(1), span(5).parent(4)), POLICY, T0);
    assertThat(memory.seal(key(1), T0)).isNotNull();
    List<Span> other = TestSpans.parsed(span(7).trace("ffffffffffffffffffffffffffffffff"));
    memory.add(0, other, POLICY, T0);
    memory.forget(TestSpans.PROJECT, TRACE);
    long bytes = other.get(0).size();
    assertThat(memory.usage()).isEqualTo(new StoreUsage(1, 1, bytes, bytes, 0));
    assertThat(memory.due(0, END, 10)).extracting(d -> d.key().segmentId()).containsExactly(7L);
    assertThat(memory.buffers(TestSpans.PROJECT, TRACE)).isFalse();
    memory.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0);
    assertThat(memory.seal(key(1), T0)).isNotNull().extracting(SealedSegment::generation).isEqualTo(0);
  }
}
