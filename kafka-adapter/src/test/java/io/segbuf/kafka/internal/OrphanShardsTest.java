package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OrphanShardsTest {
  private static final String TOPIC = "ingest-spans";
  private static final TopicPartition OWNED = new TopicPartition(TOPIC, 0);
  private static final TopicPartition ORPHAN = new TopicPartition(TOPIC, 1);
  private static final long T0 = 1_700_000_000_000L;

  /** What was flushed, as "partition@millis". */
  private final List<String> flushes = new ArrayList<>();
  private final FlusherPool pool = new FlusherPool((tp, shard, now) -> flushes.add(tp.partition() + "@"
      + now.toEpochMilli()), Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), Duration.ofMillis(1));
  private final OrphanShards orphans = new OrphanShards(TOPIC, pool, new Watermarks());

  private List<String> flushed() {
    flushes.clear();
    pool.flushOnThisThread();
    return flushes;
  }

  @Test
  void aShardTheStoreHoldsThatIsNotOwnedIsFlushedAtTheWallClockEachTimeItIsPublished() {
    orphans.publish(Set.of(0, 1), Set.of(OWNED), T0);
    assertThat(flushed()).containsExactly("1@" + T0);
    orphans.publish(Set.of(0, 1), Set.of(OWNED), T0 + 5);
    assertThat(flushed()).containsExactly("1@" + (T0 + 5));
  }

  @Test
  void anOrphanThatHoldsNothingAnyMoreIsFlushedNoMore() {
    orphans.publish(Set.of(1), Set.of(OWNED), T0);
    orphans.publish(Set.of(), Set.of(OWNED), T0 + 5);
    assertThat(flushed()).isEmpty();
  }

  @Test
  void anOrphanAssignedAgainIsFlushedNoMoreAsAnOrphan() {
    orphans.publish(Set.of(1), Set.of(OWNED), T0);
    orphans.assigned(ORPHAN);
    assertThat(flushed()).isEmpty();
    orphans.assigned(ORPHAN); // not an orphan any more: nothing to do
    orphans.publish(Set.of(1), Set.of(OWNED, ORPHAN), T0 + 5);
    assertThat(flushed()).isEmpty();
  }

  @Test
  void anOrphanThatHeldNothingAndHoldsAgainIsFlushedAgain() {
    orphans.publish(Set.of(1), Set.of(), T0);
    orphans.publish(Set.of(), Set.of(), T0 + 1);
    orphans.publish(Set.of(1), Set.of(), T0 + 2);
    assertThat(flushed()).containsExactly("1@" + (T0 + 2));
  }
}
