package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.END;
import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.options;
import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.TestSpans;
import io.segbuf.spi.SealedSegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Redis with append-only persistence, killed and restarted mid-run, loses nothing the store acknowledged. */
class RedisStorePersistenceIT {

  @Test
  void killedAndRestartedRedisWithAppendOnlyFileLosesNoAcknowledgedSpan() {
    try (RedisServers redis = RedisServers.standalone(true);
        RedisSegmentStore store = RedisSegmentStore.connect(options(redis).build())) {
      Set<Long> acknowledged = new HashSet<>();
      for (int root = 1; root <= 20; root++) {
        List<TestSpans> batch = new ArrayList<>();
        batch.add(span(root * 1000L));
        for (int c = 1; c <= 20; c++) {
          batch.add(span(root * 1000L + c).parent(root * 1000L));
        }
        store.add(0, TestSpans.parsed(batch.toArray(new TestSpans[0])), POLICY, T0);
        batch.forEach(s -> acknowledged.add(s.parsed().spanId()));
      }
      SealedSegment inFlight = store.seal(store.due(0, END, 1).get(0).key(), T0);
      assertThat(inFlight).isNotNull();

      redis.killAndRestart();

      // the same store goes on once Lettuce has reconnected, and a new owner replays all of it from the AOF
      store.add(0, TestSpans.parsed(span(99_000)), POLICY, T0);
      acknowledged.add(99_000L);
      try (RedisSegmentStore next = RedisSegmentStore.connect(options(redis).build())) {
        next.acquire(0);
        assertThatThrownBy(() -> store.complete(inFlight, false)).isInstanceOf(ShardFencedException.class);
        assertThat(next.seal(inFlight.key(), T0)).isEqualTo(inFlight);
        assertThat(RedisShardFencingIT.flushedSpanIds(next)).isEqualTo(acknowledged);
        assertThat(next.usage().spans()).isZero();
      }
    }
  }
}
