package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.SegmentStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One trace id that never goes quiet (a broken SDK): 200,000 spans, flushed a batch at a time, each a child of the
 * root, of a recent span or of a parent that never comes, some a second version of an earlier id. The trace holds
 * a bounded number of span ids and segments, by the store's own count; every span still comes out once.
 * ({@code benchmarks}' {@code OneTraceSoak} runs 10 million and reports the heap.)
 */
class OneTraceSoakTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final TraceId TRACE = TraceId.parse(TestSpans.TRACE);
  private static final int LIMIT = 1_000;
  private static final int BATCH = 1_000;
  private static final int ROUNDS = 200;
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1024 * 1024);

  @Test
  void oneTraceThatNeverGoesQuietHoldsBoundedMemoryAndLosesNothing() {
    // Idle traces are never forgotten here: only the per-trace limit bounds the trace.
    InMemorySegmentStore store = new InMemorySegmentStore(Integer.MAX_VALUE, LIMIT);
    Random random = new Random(15);
    long nextId = 2;
    long added = 0;
    long flushed = 0;
    int mostHeld = 0;
    store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
    added++;
    for (int round = 0; round < ROUNDS; round++) {
      List<Span> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        int kind = random.nextInt(100);
        TestSpans s;
        if (kind < 2 && nextId > 100) {
          s = span(nextId - 1 - random.nextInt(100)).parent(1).padding(1 + random.nextInt(3)); // another version
        } else {
          long id = nextId++;
          s = kind < 40 ? span(id).parent(1)
              : kind < 95 ? span(id).parent(Math.max(1, id - 1 - random.nextInt(50)))
              : span(id).parent(id + (1L << 40)); // a parent that never comes
        }
        batch.add(s.parsed());
      }
      AddResult result = store.add(0, batch, POLICY, T0);
      added += batch.size() - result.duplicateCount();
      for (List<Long> ids : SegmentStoreContract.flushAll(store).values()) {
        flushed += ids.size();
      }
      mostHeld = Math.max(mostHeld, store.held(TestSpans.PROJECT, TRACE));
      assertThat(store.usage().spans()).isZero();
    }
    assertThat(flushed).isEqualTo(added);
    // Flushed nodes stay at or below the limit; each keeps at most one placeholder and one segment with it.
    assertThat(mostHeld).as("span ids and segments the trace held at most").isLessThanOrEqualTo(3 * LIMIT);
    assertThat(store.usage().forgottenSpans()).isGreaterThan(added / 2);
    assertThat(store.held(TestSpans.PROJECT, TRACE)).isPositive(); // the recent half is still remembered
  }
}
