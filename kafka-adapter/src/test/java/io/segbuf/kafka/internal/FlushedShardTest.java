package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlushedShardTest {
  private static final int MAX_FLUSH_SEGMENTS = 3;
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);

  private static FlushResult flushed(int segments, int retries) {
    return new FlushResult(segments, segments, segments, List.of(), retries, List.of(), List.of());
  }

  @Test
  void aFlushAtItsLimitOrWithRetriesLagsAndOneBelowItWithoutEndsTheLag() {
    FlushedShard shard = new FlushedShard();
    shard.flushed(flushed(MAX_FLUSH_SEGMENTS, 0), MAX_FLUSH_SEGMENTS);
    assertThat(shard.laggingCycles()).isEqualTo(1);
    shard.flushed(flushed(MAX_FLUSH_SEGMENTS - 1, 1), MAX_FLUSH_SEGMENTS); // below the limit, but a retry
    assertThat(shard.laggingCycles()).isEqualTo(2);
    shard.flushed(flushed(0, 1), MAX_FLUSH_SEGMENTS); // a segment the sink did not take
    assertThat(shard.laggingCycles()).isEqualTo(3);
    shard.flushed(flushed(MAX_FLUSH_SEGMENTS - 1, 0), MAX_FLUSH_SEGMENTS);
    assertThat(shard.laggingCycles()).isZero();
  }

  @Test
  void aFlushThatFailedLagsToo() {
    FlushedShard shard = new FlushedShard();
    shard.failed();
    shard.failed();
    assertThat(shard.laggingCycles()).isEqualTo(2);
  }

  @Test
  void aShardIsFlushedAtItsTimeOnlyWhileItHasOneAndIsNotLetGo() {
    FlushedShard shard = new FlushedShard();
    assertThat(shard.hasTime()).isFalse();
    assertThat(shard.flushAt()).isNull();
    shard.flushAt(T0);
    assertThat(shard.hasTime()).isTrue();
    assertThat(shard.flushAt()).isEqualTo(T0);
    shard.flushAt(null);
    assertThat(shard.hasTime()).isFalse();
    assertThat(shard.flushAt()).isNull();
    shard.flushAt(T0);
    shard.release();
    assertThat(shard.released()).isTrue();
    assertThat(shard.flushAt()).isNull();
  }
}
