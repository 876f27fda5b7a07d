package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When a changelog is replaced by a snapshot: once its dead payload exceeds three times the next snapshot (once, while
 * Redis is short of memory), and the floor.
 */
class CompactionTest {
  private static final long FLOOR = 1_024;
  private final Compaction compaction = new Compaction(FLOOR, () -> false);

  @Test
  void aChangelogOfSpansStillBufferedIsNeverCompacted() {
    assertThat(compaction.due(0, 0, 1_000_000, 1_000_000)).isFalse();
    assertThat(compaction.due(50_000, 40_000, 1_000_000, 1_040_000)).isFalse();
  }

  @Test
  void dueOnceTheDeadPayloadExceedsThreeTimesWhatIsBufferedNow() {
    // no snapshot: 5,000 bytes buffered, the rest of the tail flushed
    assertThat(compaction.due(0, 0, 10_001, 5_000)).as("dead 5,001: a snapshot of 5,000 would cost as much")
        .isFalse();
    assertThat(compaction.due(0, 0, 20_000, 5_000)).as("dead 15,000 = 3 × next snapshot").isFalse();
    assertThat(compaction.due(0, 0, 20_001, 5_000)).as("dead 15,001").isTrue();
  }

  @Test
  void whileRedisIsShortOfMemoryDueOnceTheDeadPayloadExceedsWhatIsBufferedNow() {
    Compaction shortOfMemory = new Compaction(FLOOR, () -> true);
    assertThat(shortOfMemory.due(0, 0, 10_000, 5_000)).as("dead 5,000 = next snapshot").isFalse();
    assertThat(shortOfMemory.due(0, 0, 10_001, 5_000)).as("dead 5,001").isTrue();
    assertThat(shortOfMemory.due(0, 0, FLOOR, 0)).as("dead = compactionBytes").isFalse();
  }

  @Test
  void theSnapshotsDeadPayloadCountsAndItsOtherBytesGoIntoTheNextSnapshot() {
    // a snapshot of 3,000 bytes, 1,000 of them payload (flushed since), 2,000 of remembered ids and segments; a tail
    // of 14,000 bytes of which 2,000 still buffered: dead 1,000 + 12,000; the next snapshot 2,000 + 2,000
    assertThat(compaction.due(3_000, 1_000, 14_000, 2_000)).isTrue();
    // the same dead payload, but more ids to carry over: the next snapshot 2,000 + 2,334 would be more than a third of it
    assertThat(compaction.due(3_334, 1_000, 14_000, 2_000)).isFalse();
    assertThat(compaction.due(3_333, 1_000, 14_000, 2_000)).isTrue();
    // the snapshot's payload still buffered is not dead
    assertThat(compaction.due(3_000, 1_000, 13_000, 3_000)).isFalse();
  }

  @Test
  void neverBeforeTheDeadPayloadExceedsCompactionBytes() {
    assertThat(compaction.due(0, 0, FLOOR, 0)).as("dead = compactionBytes").isFalse();
    assertThat(compaction.due(0, 0, FLOOR + 1, 0)).isTrue();
    assertThat(new Compaction(100_000, () -> false).due(0, 0, 90_000, 10)).isFalse();
  }
}
