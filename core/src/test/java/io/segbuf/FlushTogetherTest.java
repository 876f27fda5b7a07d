package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.spi.AddResult;
import io.segbuf.spi.Completion;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A flush seals its segments in one call of the store before it sends any, and completes its generations in one call
 * (one command each for the Redis store); when such a call fails, each alone, and only the segments whose own seal or
 * completion fails are backed off.
 */
class FlushTogetherTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String BAD = "0000000000000000000000000000000a";
  private static final String GOOD = "0000000000000000000000000000000b";

  /**
   * The in-memory store, counting its calls of {@code seal(List)} and {@code complete(List)}; sealing a segment of one
   * trace, or completing a generation of another, fails.
   */
  private static final class TogetherFailingStore implements SegmentStore {
    private final SegmentStore store = SegmentStore.inMemory();
    @Nullable TraceId refusedSeal;
    @Nullable TraceId refused;
    int sealedTogether;
    int together;

    @Override
    public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
      return store.add(shard, spans, policy, now);
    }

    @Override
    public List<DueSegment> due(int shard, Instant now, int limit) {
      return store.due(shard, now, limit);
    }

    @Override
    public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
      if (key.traceId().equals(refusedSeal)) {
        throw new SegbufException("seal of " + key + " refused");
      }
      return store.seal(key, now);
    }

    @Override
    public List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now) {
      sealedTogether++;
      for (SegmentKey key : keys) {
        if (key.traceId().equals(refusedSeal)) {
          throw new SegbufException("seals refused");
        }
      }
      return store.seal(keys, now);
    }

    @Override
    public List<Span> read(SealedSegment segment) {
      return store.read(segment);
    }

    @Override
    public void complete(SealedSegment segment, boolean chunked) {
      if (segment.key().traceId().equals(refused)) {
        throw new SegbufException("completion of " + segment.key() + " refused");
      }
      store.complete(segment, chunked);
    }

    @Override
    public void complete(List<Completion> completions) {
      together++;
      for (Completion c : completions) {
        if (c.segment().key().traceId().equals(refused)) {
          throw new SegbufException("completions refused");
        }
      }
      store.complete(completions);
    }

    @Override
    public StoreUsage usage() {
      return store.usage();
    }

    @Override
    public Set<Integer> shards() {
      return store.shards();
    }
  }

  private final TogetherFailingStore store = new TogetherFailingStore();
  private final SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), store, new RecordingSink());

  @Test
  void aFlushSealsItsSegmentsInOneCallAndCompletesThemInOneCall() {
    buffer.offerSpans(0, TestSpans.parsed(span(1), span(2), span(3)), T0); // three roots: three segments

    FlushResult flushed = buffer.flush(0, T0.plusSeconds(3600));

    assertThat(flushed.segments()).isEqualTo(3);
    assertThat(store.sealedTogether).as("calls of seal(List)").isOne();
    assertThat(store.together).as("calls of complete(List)").isOne();
    assertThat(buffer.usage().spans()).isZero();
  }

  /** Which call of the store refuses the segments of {@link #BAD}. */
  enum Refusing {
    SEAL,
    COMPLETE
  }

  @ParameterizedTest
  @EnumSource(Refusing.class)
  void whenACallTogetherFailsEachIsMadeAloneAndOnlyTheSegmentWhoseOwnCallFailsIsBackedOff(Refusing call) {
    buffer.offerSpans(0, TestSpans.parsed(span(1).trace(GOOD), span(2).trace(BAD), span(3).trace(GOOD)), T0);
    if (call == Refusing.SEAL) {
      store.refusedSeal = TraceId.parse(BAD);
    } else {
      store.refused = TraceId.parse(BAD);
    }

    FlushResult flushed = buffer.flush(0, T0.plusSeconds(3600));

    assertThat(flushed.segments()).isEqualTo(2);
    assertThat(flushed.completed()).extracting(Span::spanId).containsExactlyInAnyOrder(1L, 3L);
    assertThat(flushed.failed()).singleElement()
        .satisfies(f -> assertThat(f.key().traceId()).isEqualTo(TraceId.parse(BAD)));
    assertThat(buffer.backedOffSegments()).isOne();
    assertThat(buffer.usage().spans()).as("the one never sealed, or left sealed").isOne();
  }
}
