package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SealedSegment;
import io.segbuf.SegmentStore;
import io.segbuf.SegmentStoreContract;
import io.segbuf.Span;
import io.segbuf.StoreUsage;
import io.segbuf.TestSpans;
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
  void forgottenTraceStartsAFreshSegmentNamedByTheParent() {
    store = new InMemorySegmentStore(0);
    add(T0, span(1), span(2).parent(1));
    flushAll();
    add(T0, span(3).parent(2));
    assertThat(flushAll()).isEqualTo(Map.of(2L, List.of(3L)));
  }

  @Test
  void rememberedTraceKeepsTheSegmentIdUntilEvicted() {
    store = new InMemorySegmentStore(3);
    add(T0, span(1), span(2).parent(1));
    flushAll();
    add(T0, span(10).trace("ffffffffffffffffffffffffffffffff"), span(11).parent(10).trace("ffffffffffffffffffffffffffffffff"));
    flushAll(); // 4 ids remembered now: the first trace is forgotten
    add(T0, span(3).parent(2));
    SealedSegment late = store.seal(key(2), T0);
    assertThat(late).isNotNull();
    assertThat(late.generation()).isZero();
  }
}
