package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When a changelog is replaced by a snapshot: once its dead payload exceeds three times the next snapshot (once, while
 * Redis is short of memory), and the floor; at Redis's memory limit, once a kilobyte is dead, if the snapshot turns out
 * smaller.
 */
class CompactionTest {
  private static final long FLOOR = 1_024;
  private final Compaction compaction = new Compaction(FLOOR, () -> false, () -> false);
  private final Compaction atTheLimit = new Compaction(FLOOR * 64, () -> true, () -> true);

  @Test
  void aChangelogOfSpansStillBufferedIsNeverCompacted() {
    assertThat(due(compaction, 0, 0, 1_000_000, 1_000_000)).isFalse();
    assertThat(due(compaction, 50_000, 40_000, 1_000_000, 1_040_000)).isFalse();
  }

  @Test
  void dueOnceTheDeadPayloadExceedsThreeTimesWhatIsBufferedNow() {
    // no snapshot: 5,000 bytes buffered, the rest of the tail flushed
    assertThat(due(compaction, 0, 0, 10_001, 5_000)).as("dead 5,001: a snapshot of 5,000 would cost as much")
        .isFalse();
    assertThat(due(compaction, 0, 0, 20_000, 5_000)).as("dead 15,000 = 3 × next snapshot").isFalse();
    assertThat(due(compaction, 0, 0, 20_001, 5_000)).as("dead 15,001").isTrue();
  }

  @Test
  void whileRedisIsShortOfMemoryDueOnceTheDeadPayloadExceedsWhatIsBufferedNow() {
    Compaction shortOfMemory = new Compaction(FLOOR, () -> true, () -> false);
    assertThat(due(shortOfMemory, 0, 0, 10_000, 5_000)).as("dead 5,000 = next snapshot").isFalse();
    assertThat(due(shortOfMemory, 0, 0, 10_001, 5_000)).as("dead 5,001").isTrue();
    assertThat(due(shortOfMemory, 0, 0, FLOOR, 0)).as("dead = compactionBytes").isFalse();
  }

  @Test
  void theSnapshotsDeadPayloadCountsAndItsOtherBytesGoIntoTheNextSnapshot() {
    // a snapshot of 3,000 bytes, 1,000 of them payload (flushed since), 2,000 of remembered ids and segments; a tail
    // of 14,000 bytes of which 2,000 still buffered: dead 1,000 + 12,000; the next snapshot 2,000 + 2,000
    assertThat(due(compaction, 3_000, 1_000, 14_000, 2_000)).isTrue();
    // the same dead payload, but more ids to carry over: the next snapshot 2,000 + 2,334 would be more than a third of it
    assertThat(due(compaction, 3_334, 1_000, 14_000, 2_000)).isFalse();
    assertThat(due(compaction, 3_333, 1_000, 14_000, 2_000)).isTrue();
    // the snapshot's payload still buffered is not dead
    assertThat(due(compaction, 3_000, 1_000, 13_000, 3_000)).isFalse();
  }

  @Test
  void neverBeforeTheDeadPayloadExceedsCompactionBytes() {
    assertThat(due(compaction, 0, 0, FLOOR, 0)).as("dead = compactionBytes").isFalse();
    assertThat(due(compaction, 0, 0, FLOOR + 1, 0)).isTrue();
    assertThat(due(new Compaction(100_000, () -> false, () -> false), 0, 0, 90_000, 10)).isFalse();
  }

  @Test
  void atTheMemoryLimitAQuarterOfTheNextSnapshotDeadIsWorthTryingWhateverTheFloor() {
    // a snapshot of 5,613 bytes of remembered ids and a tail of 4,497 dead bytes (a shard of simulation seed 192)
    assertThat(compaction.plan(5_613, 0, 4_497, 0)).as("below the limit").isEqualTo(Compaction.Plan.NONE);
    assertThat(atTheLimit.plan(5_613, 0, 4_497, 0)).isEqualTo(Compaction.Plan.COMPACT_IF_SMALLER);
    assertThat(atTheLimit.plan(0, 0, 1_000 + Compaction.AT_THE_LIMIT_BYTES, 1_000))
        .isEqualTo(Compaction.Plan.COMPACT_IF_SMALLER);
    assertThat(atTheLimit.plan(0, 0, 999 + Compaction.AT_THE_LIMIT_BYTES, 1_000)).as("under a kilobyte dead")
        .isEqualTo(Compaction.Plan.NONE);
    // 40,000 bytes buffered: a quarter of the next snapshot is 10,000 dead bytes
    assertThat(atTheLimit.plan(0, 0, 50_000, 40_000)).isEqualTo(Compaction.Plan.COMPACT_IF_SMALLER);
    assertThat(atTheLimit.plan(0, 0, 49_999, 40_000)).isEqualTo(Compaction.Plan.NONE);
    assertThat(atTheLimit.plan(0, 0, 1_000_000, 1_000_000)).as("nothing dead").isEqualTo(Compaction.Plan.NONE);
    assertThat(atTheLimit.plan(0, 0, 1_000_000, 0)).as("due anyway").isEqualTo(Compaction.Plan.COMPACT);
  }

  private static boolean due(Compaction compaction, long snapshotBytes, long snapshotPayloadBytes, long tailBytes,
      long bufferedBytes) {
    return compaction.plan(snapshotBytes, snapshotPayloadBytes, tailBytes, bufferedBytes) == Compaction.Plan.COMPACT;
  }
}
