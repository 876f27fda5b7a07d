package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SegmentStoreContract;
import io.segbuf.spi.StoreUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  /**
   * A version of a span that arrives after the span was flushed is buffered while the trace's oldest flushed spans are
   * forgotten: its node stays, so that a redelivery of that version is a duplicate, not buffered a second time in a
   * segment of its own (and sent twice).
   */
  @Test
  void aVersionBufferedAfterItsSpanWasFlushedIsStillKnownWhenFlushedSpansAreForgotten() {
    store = new InMemorySegmentStore(100, 4);
    add(T0, span(1), span(2).parent(1));
    flushAll();
    add(T0, span(2).parent(1).padding(1));
    for (long root = 10; root < 16; root++) {
      add(T0, span(root));
      // the trace's flushed spans pass 4: the oldest are forgotten
      store.complete(Objects.requireNonNull(store.seal(key(root), T0)), false);
    }
    assertThat(add(T0, span(2).parent(1).padding(1)).isDuplicate(0)).isTrue();
    assertThat(flushAll()).isEqualTo(Map.of(1L, List.of(2L)));
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
  void aRestoredSnapshotRecognisesRedeliveriesOfEveryFlushedVersion() {
    List<Span> versions = TestSpans.parsed(span(1), span(2).parent(1), span(2).parent(1).padding(3));
    InMemorySegmentStore original = new InMemorySegmentStore(100);
    original.add(0, versions.subList(0, 2), POLICY, T0);
    assertThat(original.add(0, versions.subList(2, 3), POLICY, T0).duplicateCount()).isZero();
    SealedSegment sealed = original.seal(key(1), T0);
    assertThat(sealed).isNotNull();
    original.complete(sealed, false);

    InMemorySegmentStore restored = InMemorySegmentStore.restore(original.snapshot(), 100);
    for (InMemorySegmentStore store : List.of(original, restored)) {
      assertThat(store.add(0, versions.subList(1, 3), POLICY, T0).duplicateCount()).isEqualTo(2);
    }
  }

  @Test
  void negativeLimitsAreReportedTogetherAsConfigProblems() {
    assertThatThrownBy(() -> SegmentStore.inMemory(-1, -2))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            new ConfigProblem("recentlyFlushedSpans", "be >= 0", -1),
            new ConfigProblem("flushedSpansPerTrace", "be >= 0", -2)))
        .hasMessage("recentlyFlushedSpans must be >= 0 but was -1; flushedSpansPerTrace must be >= 0 but was -2");
  }

  @Test
  void idleTracesAreForgottenOldestFirstOnlyUntilTheLimitIsMet() {
    String other = "ffffffffffffffffffffffffffffffff";
    store = new InMemorySegmentStore(2);
    add(T0, span(1), span(2).parent(1));
    flushAll(); // 2 ids remembered: not more than the limit
    assertThat(add(T0, span(2).parent(1)).isDuplicate(0)).isTrue();

    add(T0, span(10).trace(other), span(11).parent(10).trace(other));
    flushAll(); // 4 ids: the older trace is forgotten, which leaves exactly the limit

    assertThat(add(T0, span(11).parent(10).trace(other)).isDuplicate(0)).isTrue();
    assertThat(add(T0, span(2).parent(1)).isDuplicate(0)).isFalse();
  }
}
