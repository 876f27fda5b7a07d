package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.SegbufException;
import io.segbuf.redis.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis's memory as the store reads it again while it runs. */
class RedisMemoryIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  /**
   * A Redis switched to a policy that may evict after the store connected (CONFIG SET, a managed Redis's parameter
   * group) fails the store's next reading loudly, as connect would have: kept quiet, the store would go on buffering
   * into changelogs Redis may drop, and its memory reading would stay frozen, growing with every append until input
   * pauses for good.
   */
  @Test
  void aPolicyThatMayEvictSetAfterConnectFailsTheNextReading() {
    AtomicLong nanos = new AtomicLong();
    try (RedisAccess access = new RedisAccess(List.of(redis.get().uri()), false, Duration.ofSeconds(10))) {
      RedisMemory memory = new RedisMemory(access, nanos::get);
      assertThat(memory.usedAndMax()[0]).isPositive();
      redis.get().cli("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
      try {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        memory.usedAndMax(); // starts a reading off this thread
        assertThatThrownBy(() -> {
          // counts its polling intervals instead of reading the clock: at least 30 s
          for (int polls = 0; polls < 3_000; polls++) {
            memory.usedAndMax();
            Thread.sleep(10);
          }
        }).isInstanceOf(SegbufException.class)
            .hasMessageStartingWith("maxmemory-policy must be noeviction but was allkeys-lru");
      } finally {
        redis.get().cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
      }
    }
  }
}
