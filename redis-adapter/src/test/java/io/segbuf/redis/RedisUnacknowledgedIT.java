package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.END;
import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.connect;
import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes made through {@code unacknowledged()} whose commands Redis refused or that were never sent: {@code sync()}
 * must fail, or Redis must hold them. Otherwise a caller that checks only {@code sync()} and the spans buffered at
 * the end (as {@code segbuf replay} does) reports success for spans that were never written anywhere.
 */
class RedisUnacknowledgedIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();


  /** Acknowledges every message; keeps one per flush id. */
  private static final class Output implements SegmentSink {
    final Map<String, Message> byFlushId = new LinkedHashMap<>();

    @Override
    public CompletionStage<?> send(Message message) {
      byFlushId.put(message.flushId(), message);
      return CompletableFuture.completedFuture(null);
    }

    long spans() {
      return byFlushId.values().stream().mapToLong(Message::spanCount).sum();
    }
  }

  private static String trace(int i) {
    return String.format("%032x", 0x5eedL << 32 | i);
  }

  /**
   * An eager rebalance gives the shard back to the store (acquire again) while changes made without waiting are
   * gathered, not sent yet: the new takeover replays a changelog without them.
   */
  @Test
  void changesNotWaitedForBeforeTheShardIsAcquiredAgainAreHeldOrSyncFails() {
    try (RedisSegmentStore store = connect(redis.get(), "again-unacknowledged")) {
      store.acquire(0);
      store.unacknowledged().add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      store.acquire(0);
      boolean failed = false;
      try {
        store.sync();
      } catch (SegbufException e) {
        failed = true;
      }
      if (!failed) {
        assertThat(store.usage().spans()).as("sync() returned: the two spans added must be held").isEqualTo(2);
      }
    }
  }

  /**
   * Replay's loop on a Redis briefly at {@code maxmemory}: the 16 commands allowed unanswered are refused, and the
   * error comes out of a seal, which the flusher counts as that segment's failure and goes on with. The shard is
   * rebuilt from a changelog without the refused spans; once Redis takes writes again, nothing fails any more.
   */
  @Test
  void aRefusedCommandWhoseErrorComesOutOfASealFailsSyncOrItsSpansAreWritten() {
    SpanBufferConfig config = SpanBufferConfig.builder().build();
    try (RedisSegmentStore store = connect(redis.get(), "refused-unacknowledged")) {
      store.acquire(0);
      Output output = new Output();
      SpanBuffer buffer = SpanBuffer.create(config, store.unacknowledged(), output);
      redis.get().cli("CONFIG", "SET", "maxmemory", "1");
      long offered = 0;
      boolean failedInASeal = false;
      try {
        int traces = 0;
        for (int command = 0; command < 16; command++) {
          List<Span> batch = new ArrayList<>();
          for (int i = 0; i < 17; i++) {
            batch.add(span(1).trace(trace(traces++)).padding(16_000).parsed());
          }
          buffer.offerSpans(0, batch, T0);
          offered += batch.size();
        }
        while (!failedInASeal) {
          buffer.offerSpans(0, List.of(span(1).trace(trace(traces++)).padding(100).parsed()), T0);
          offered++;
          FlushResult flushed = buffer.flush(0, END);
          failedInASeal = !flushed.failed().isEmpty();
        }
      } finally {
        redis.get().cli("CONFIG", "SET", "maxmemory", "0");
      }
      assertThat(failedInASeal).as("the refusal came out of a flush, not out of an offer").isTrue();

      boolean reportedFailure;
      try {
        buffer.drain(END);
        store.sync();
        reportedFailure = buffer.stats().bufferedSpans() > 0;
      } catch (SegbufException e) {
        reportedFailure = true;
      }
      if (!reportedFailure) {
        assertThat(output.spans()).as("nothing failed at the end: every span offered was written").isEqualTo(offered);
      }
    }
  }

  /**
   * A command Redis applied whose answer is lost (the connection cut): unless the store is told so, it may be sent
   * again on the next connection, and a changelog holding the records of several changes twice is not the owner's
   * state: a seal replayed after its segment's completion seals the spans added after it.
   */
  @Test
  void aCommandAppliedWhoseAnswerIsLostFailsSyncOrLeavesANewOwnerTheOwnersState() {
    try (CommandCountingRelay relay = new CommandCountingRelay(redis.get().port());
        RedisSegmentStore owner =
            RedisSegmentStore.connect(RedisStoreOptions.builder().uri(relay.uri()).keyPrefix("cut").build());
        RedisSegmentStore next = connect(redis.get(), "cut")) {
      owner.acquire(0);
      SegmentStore unacknowledged = owner.unacknowledged();
      unacknowledged.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      SealedSegment first = unacknowledged.seal(owner.due(0, END, 1).get(0).key(), T0);
      assertThat(first).isNotNull();
      unacknowledged.complete(first, false);
      unacknowledged.add(0, TestSpans.parsed(span(3).parent(1)), POLICY, T0);
      relay.cutAtNextIntegerReply();
      try {
        owner.sync();
      } catch (SegbufException e) {
        return; // told: the caller knows the changes may not be held as made
      }
      unacknowledged.add(0, TestSpans.parsed(span(4).parent(1)), POLICY, T0);
      SealedSegment second = unacknowledged.seal(first.key(), T0);
      assertThat(second).isNotNull();
      unacknowledged.complete(second, false);
      owner.sync();
      assertThat(owner.usage().spans()).isZero();

      next.acquire(0);
      String log = "{cut:0}:log:" + redis.get().cli("GET", "{cut:0}:epoch").strip();
      assertThat(next.usage().spans()).as("the owner flushed everything; the changelog holds %s records",
          redis.get().cli("LLEN", log).strip()).isZero();
    }
  }
}
