package io.segbuf.redis;

import static io.segbuf.TestSpans.span;
import static io.segbuf.redis.RedisStoreFixture.END;
import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.connect;
import static io.segbuf.redis.RedisStoreFixture.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStoreContract;
import io.segbuf.spi.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A command Redis applied whose answer was lost, sent again by the client on its next connection and applied again
 * (Lettuce's default, at-least-once): no record is taken as the owner's state twice without the owner knowing, so
 * that a new owner replays the state the owner had.
 */
class RedisResentCommandIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static RedisSegmentStore resending(String prefix, ResendingRedis resending) {
    return RedisSegmentStore.over(options(redis.get(), prefix).build(), resending, System::nanoTime, Runnable::run);
  }

  private static String changelogLength(String prefix) {
    String epoch = redis.get().cli("GET", "{" + prefix + ":0}:epoch").strip();
    return redis.get().cli("LLEN", "{" + prefix + ":0}:log:" + epoch).strip();
  }

  /**
   * A seal sent again is refused by the changelog's length instead of appended a second time, and the seal fails so
   * that the owner reads its shard again; sealed again, the generation is the one the changelog holds.
   */
  @Test
  void aSealSentAgainIsRefusedNotAppendedTwice() {
    ResendingRedis resending = new ResendingRedis(redis.get().uri());
    try (RedisSegmentStore owner = resending("reseal", resending); RedisSegmentStore next = connect(redis.get(),
        "reseal")) {
      owner.acquire(0);
      owner.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      SegmentKey key = owner.due(0, END, 1).get(0).key();

      resending.resendNextScript();
      assertThatThrownBy(() -> owner.seal(key, T0)).isInstanceOf(SegbufException.class)
          .hasMessageContaining("expected 2");
      assertThat(changelogLength("reseal")).as("start, batch, the seal once").isEqualTo("3");
      SealedSegment sealed = owner.seal(key, T0);
      assertThat(sealed).isNotNull();
      assertThat(sealed.spans()).isEqualTo(2);
      owner.complete(sealed, false);

      next.acquire(0);
      assertThat(next.usage().spans()).as("the owner's state: everything flushed").isZero();
    }
  }

  /**
   * A record of spans applied twice is found by the length Redis answers: the batch fails and the owner rebuilds its
   * shard from the changelog, duplicate included, so that its state stays the one a new owner replays. Replayed
   * twice, a record adds its spans again where a redelivery would (a span id with more versions than the store
   * remembers): taken for the owner's state, the generation the owner flushed and completed (12 spans) was not the one
   * a new owner sealed (14 spans), which then held them all to flush again under another flush id.
   */
  @Test
  void aBatchRecordAppliedTwiceFailsTheBatchAndTheOwnerReadsItsShardAgain() {
    ResendingRedis resending = new ResendingRedis(redis.get().uri());
    try (RedisSegmentStore owner = resending("rebatch", resending); RedisSegmentStore next = connect(redis.get(),
        "rebatch")) {
      owner.acquire(0);
      List<TestSpans> versions = new ArrayList<>();
      versions.add(span(1));
      for (int version = 1; version <= 11; version++) {
        versions.add(span(2).parent(1).padding(version));
      }
      List<Span> batch = TestSpans.parsed(versions.toArray(new TestSpans[0]));

      resending.resendNextRpushx();
      try {
        owner.add(0, batch, POLICY, T0);
      } catch (StoreUnavailableException e) {
        assertThat(e).hasMessageContaining("applied twice");
        owner.add(0, batch, POLICY, T0); // read again, as a consumer does with a batch its store refused
      }
      SegmentStoreContract.flushAll(owner);
      assertThat(owner.usage().spans()).isZero();

      next.acquire(0);
      assertThat(next.usage().spans()).as("the owner's state: everything flushed").isZero();
    }
  }
}
