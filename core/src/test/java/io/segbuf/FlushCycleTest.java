package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.spi.FatalSinkException;
import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SegmentStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What one call of {@link SpanBuffer#flush} or {@link SpanBuffer#drain} does: how many segments it takes, when it
 * stops, what it counts, and how segments that fail are backed off (in event time, near its ends too) and forgotten.
 */
class FlushCycleTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final String BAD = "0000000000000000000000000000000a";

  private final TraceFailingStore store = new TraceFailingStore(SegmentStore.inMemory());
  private final RecordingSink sink = new RecordingSink();

  private SpanBuffer buffer(SpanBufferConfig.Builder config) {
    return SpanBuffer.create(config.build(), store, sink);
  }

  private static String trace(int i) {
    return String.format("%032x", 0x100 + i);
  }

  /** {@code count} one-span segments, each in a trace of its own, all offered at {@code now}. */
  private static void offerSegments(SpanBuffer buffer, int shard, int count, int padding, Instant now) {
    for (int i = 0; i < count; i++) {
      buffer.offer(shard, List.of(span(1).trace(trace(shard * 100 + i)).padding(padding).bytes()), now);
    }
  }

  @Test
  void aFlushTakesAtMostMaxFlushSegments() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxFlushSegments(2));
    offerSegments(buffer, 0, 5, 0, T0);

    assertThat(buffer.flush(0, T0.plusSeconds(10)).segments()).isEqualTo(2);
    assertThat(buffer.flush(0, T0.plusSeconds(10)).segments()).isEqualTo(2);
    assertThat(buffer.flush(0, T0.plusSeconds(10)).segments()).isEqualTo(1);
    assertThat(sink.acknowledged()).hasSize(5);
  }

  @Test
  void aSegmentThatFailsGivesItsTurnToTheNextButTheLimitHolds() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxFlushSegments(2));
    buffer.offer(0, List.of(span(1).trace(trace(0)).bytes()), T0);
    buffer.offer(0, List.of(span(1).trace(BAD).bytes()), T0.plusSeconds(1));
    buffer.offer(0, List.of(span(1).trace(trace(1)).bytes()), T0.plusSeconds(2));
    buffer.offer(0, List.of(span(1).trace(trace(2)).bytes()), T0.plusSeconds(3));
    store.refuseFlushes(TraceId.parse(BAD));

    FlushResult result = buffer.flush(0, T0.plusSeconds(20));

    assertThat(result.failed()).hasSize(1);
    assertThat(result.segments()).isEqualTo(2);
    assertThat(sink.acknowledged()).extracting(m -> m.segment().traceId())
        .containsExactly(TraceId.parse(trace(0)), TraceId.parse(trace(1)));
  }

  @Test
  void withoutAByteLimitNothingIsFlushedBeforeItIsDue() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    offerSegments(buffer, 0, 2, 1_000, T0);

    assertThat(buffer.flush(0, T0.plusSeconds(9)).segments()).isZero();
    assertThat(buffer.usage().spans()).isEqualTo(2);
  }

  @Test
  void aBufferFarOverItsByteLimitFlushesEarlyUntilItIsUnder() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxBufferedBytes(1_500));
    offerSegments(buffer, 0, 4, 1_000, T0);

    FlushResult result = buffer.flush(0, T0);

    assertThat(result.segments()).isEqualTo(3);
    assertThat(buffer.usage().spans()).isEqualTo(1);
    assertThat(buffer.stats().flushReasons()).containsEntry(FlushReason.BUFFER_FULL, 3L);
  }

  @Test
  void drainingAShardGoesOnPastMaxFlushSegmentsUntilNothingIsLeft() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxFlushSegments(1));
    offerSegments(buffer, 0, 3, 0, T0);

    FlushResult drained = buffer.drain(0, T0);

    assertThat(drained.segments()).isEqualTo(3);
    assertThat(buffer.usage().spans()).isZero();
    assertThat(buffer.stats().flushReasons()).containsEntry(FlushReason.SHUTDOWN, 3L);
  }

  @Test
  void everySpanOfferedIsCountedValidOrNot() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());

    OfferResult offered = buffer.offer(0, List.of("{".getBytes(StandardCharsets.UTF_8), span(1).bytes(), "[]".getBytes(StandardCharsets.UTF_8)), T0);

    assertThat(offered.outcomes()).hasSize(3);
    assertThat(buffer.stats().offeredSpans()).isEqualTo(3);
    assertThat(buffer.stats().invalidTotal()).isEqualTo(2);
    assertThat(buffer.offerSpans(0, TestSpans.parsed(span(2), span(3)), T0).outcomes())
        .containsExactly(Outcome.BUFFERED, Outcome.BUFFERED);
    assertThat(buffer.stats().offeredSpans()).isEqualTo(5);
  }

  @Test
  void aContinuationIsCountedAsOne() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, List.of(span(1).bytes()), T0);
    buffer.flush(0, T0.plusSeconds(10));
    assertThat(buffer.stats().continuations()).isZero();

    buffer.offer(0, List.of(span(2).parent(1).bytes()), T0.plusSeconds(11));
    buffer.flush(0, T0.plusSeconds(100));

    assertThat(buffer.stats().flushedSegments()).isEqualTo(2);
    assertThat(buffer.stats().continuations()).isEqualTo(1);
  }

  @Test
  void aRefusalDeliveredThroughADependentStageDoesNotEndTheCycle() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    offerSegments(buffer, 0, 2, 0, T0);
    // a stage that depends on a refused one fails with a CompletionException around the refusal
    sink.answer(m -> CompletableFuture.failedFuture(new RejectedMessageException("too large")).thenApply(x -> x));

    FlushResult result = buffer.flush(0, T0.plusSeconds(10));

    assertThat(result.segments()).isEqualTo(2);
    assertThat(result.rejected()).hasSize(2);
    assertThat(sink.attempted()).hasSize(2);
  }

  @Test
  void aFatalSinkFailureIsThrownAndItsSegmentStaysBuffered() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    offerSegments(buffer, 0, 1, 0, T0);
    FatalSinkException fatal = new FatalSinkException("fenced", new IllegalStateException("fenced"));
    sink.answer(m -> CompletableFuture.failedFuture(fatal));

    assertThatThrownBy(() -> buffer.flush(0, T0.plusSeconds(10))).isSameAs(fatal);

    assertThat(buffer.usage().spans()).isEqualTo(1);
  }

  @Test
  void aFlushOnAnInterruptedThreadRetriesItsSegmentAndKeepsTheInterrupt() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    offerSegments(buffer, 0, 1, 0, T0);
    sink.answer(m -> new CompletableFuture<Void>());

    Thread.currentThread().interrupt();
    FlushResult result;
    boolean interrupted;
    try {
      result = buffer.flush(0, T0.plusSeconds(10));
    } finally {
      interrupted = Thread.interrupted();
    }

    assertThat(interrupted).isTrue();
    assertThat(result.retries()).isEqualTo(1);
    assertThat(result.segments()).isZero();
    assertThat(buffer.usage().spans()).isEqualTo(1);
  }

  @Test
  void backedOffSegmentsAreCountedOnEveryShardUntilTheyFlush() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    buffer.offer(0, List.of(span(1).trace(BAD).bytes()), T0);
    buffer.offer(1, List.of(span(2).trace(BAD).bytes()), T0);
    store.refuseFlushes(TraceId.parse(BAD));

    buffer.flush(0, T0.plusSeconds(10));
    buffer.flush(1, T0.plusSeconds(10));
    assertThat(buffer.backedOffSegments()).isEqualTo(2);

    store.refuseFlushes(null);
    buffer.flush(0, T0.plusSeconds(20));
    assertThat(buffer.backedOffSegments()).isEqualTo(1);
    buffer.flush(1, T0.plusSeconds(20));
    assertThat(buffer.backedOffSegments()).isZero();
  }

  @Test
  void aSegmentGoneFromTheStoreAfterAFailedFlushIsNoLongerCountedAsBackedOff() {
    // The store completes the segment but the call throws (a Redis completion whose answer was lost): the segment is
    // gone, nothing would ever find it to clear its back-off, and it counted for good (input was then never paused for
    // memory while such counts reached the segments held).
    int[] completionsToFail = {2}; // the flush's completions together, then the segment's alone
    InvocationHandler completingThenFailing = (proxy, method, args) -> {
      Object result;
      try {
        result = method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (method.getName().equals("complete") && completionsToFail[0] > 0) {
        completionsToFail[0]--;
        throw new SegbufException("the completion's answer was lost");
      }
      return result;
    };
    SegmentStore losingAnswers = (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, completingThenFailing);
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), losingAnswers, sink);
    buffer.offer(0, List.of(span(1).bytes()), T0);
    buffer.offer(0, List.of(span(2).trace(trace(2)).bytes()), T0.plusSeconds(5));

    assertThat(buffer.flush(0, T0.plusSeconds(10)).failed()).hasSize(1);
    assertThat(buffer.usage().segments()).as("completed though the call failed").isEqualTo(1);
    assertThat(buffer.backedOffSegments()).isEqualTo(1);

    buffer.flush(0, T0.plusSeconds(10)); // its back-off has not run out: it stays counted
    assertThat(buffer.backedOffSegments()).isEqualTo(1);
    buffer.flush(0, T0.plusSeconds(11));
    assertThat(buffer.backedOffSegments()).isZero();
    assertThat(buffer.usage().segments()).as("the other segment is not due yet").isEqualTo(1);
  }

  @Test
  void releasingAShardForgetsItsBackOffsOnlyOnceTheStoreNoLongerHoldsIt() {
    SpanBuffer failing = buffer(SpanBufferConfig.builder());
    failing.offer(0, List.of(span(1).trace(BAD).bytes()), T0);
    store.refuseFlushes(TraceId.parse(BAD));
    failing.flush(0, T0.plusSeconds(10));
    assertThat(failing.backedOffSegments()).isEqualTo(1);

    failing.release(0); // the store still holds the segment: its back-off stays
    assertThat(failing.backedOffSegments()).isEqualTo(1);

    // another buffer over the same store flushes it: the shard is no longer held
    store.refuseFlushes(null);
    SpanBuffer other = SpanBuffer.create(SpanBufferConfig.defaults(), store, sink);
    assertThat(other.flush(0, T0.plusSeconds(10)).segments()).isEqualTo(1);
    assertThat(failing.shards()).isEmpty();
    failing.release(0);
    assertThat(failing.backedOffSegments()).isZero();
  }

  @Test
  void aBufferExactlyAtItsByteLimitIsNotFlushedEarly() {
    byte[] only = span(1).bytes();
    SpanBuffer buffer = buffer(SpanBufferConfig.builder().maxBufferedBytes(only.length));
    buffer.offer(0, List.of(only), T0);

    assertThat(buffer.flush(0, T0).segments()).isZero();
    assertThat(buffer.usage().bytes()).isEqualTo(only.length);
  }

  @Test
  void acquiringAndReleasingAShardTellTheStore() {
    List<String> calls = new ArrayList<>();
    SegmentStore memory = SegmentStore.inMemory();
    InvocationHandler recording = (proxy, method, args) -> {
      if (method.getName().equals("acquire") || method.getName().equals("release")) {
        calls.add(method.getName() + " " + args[0]);
      }
      try {
        return method.invoke(memory, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    SegmentStore recorded = (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, recording);
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), recorded, sink);

    buffer.acquire(2);
    buffer.release(2);

    assertThat(calls).containsExactly("acquire 2", "release 2");
  }

  @Test
  void durableAndShardsAreTheStores() {
    SpanBuffer buffer = buffer(SpanBufferConfig.builder());
    assertThat(buffer.durable()).isFalse();
    store.claimDurable(true);
    assertThat(buffer.durable()).isTrue();

    buffer.offer(3, List.of(span(1).bytes()), T0);
    buffer.offer(5, List.of(span(2).trace(BAD).bytes()), T0);
    assertThat(buffer.shards()).containsExactlyInAnyOrder(3, 5);
  }

  /** Fails the one segment of {@link #BAD} at {@code first}, and returns the attempts of the next flush at {@code then}. */
  private List<Integer> attemptsAfterFailingAt(Instant first, Instant... then) {
    TraceFailingStore own = new TraceFailingStore(SegmentStore.inMemory()).refuseFlushes(TraceId.parse(BAD));
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), own, sink);
    buffer.offer(0, List.of(span(1).trace(BAD).bytes()), first);
    List<Integer> attempts = new ArrayList<>();
    buffer.drain(0, first).failed().forEach(f -> attempts.add(f.attempts()));
    for (Instant t : then) {
      buffer.drain(0, t).failed().forEach(f -> attempts.add(f.attempts()));
    }
    return attempts;
  }

  @Test
  void aBackOffRunsOutOneSecondLaterInEventTimeBeforeAndAtTheEpoch() {
    assertThat(attemptsAfterFailingAt(Instant.ofEpochMilli(-5_000), Instant.ofEpochMilli(-4_001),
        Instant.ofEpochMilli(-4_000))).containsExactly(1, 2);
    assertThat(attemptsAfterFailingAt(Instant.EPOCH, Instant.ofEpochMilli(999), Instant.ofEpochMilli(1_000)))
        .containsExactly(1, 2);
  }

  @Test
  void aBackOffNearTheEndOfTimeNeverRunsOutInsteadOfWrappingIntoThePast() {
    Instant end = Instant.ofEpochMilli(Long.MAX_VALUE - 500);

    assertThat(attemptsAfterFailingAt(end, end, Instant.ofEpochMilli(Long.MAX_VALUE - 1))).containsExactly(1);
  }
}
