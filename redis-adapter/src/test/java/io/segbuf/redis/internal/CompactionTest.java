package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a changelog is replaced by a snapshot: once its dead payload exceeds both the next snapshot and the floor. */
class CompactionTest {
  private static final long FLOOR = 1_024;
  private final Compaction compaction = new Compaction(FLOOR);

  @Test
  void aChangelogOfSpansStillBufferedIsNeverCompacted() {
    assertThat(compaction.due(0, 0, 1_000_000, 1_000_000)).isFalse();
    assertThat(compaction.due(50_000, 40_000, 1_000_000, 1_040_000)).isFalse();
  }

  @Test
  void dueOnceTheDeadPayloadExceedsWhatIsBufferedNow() {
    // no snapshot: 5,000 bytes buffered, the rest of the tail flushed
    assertThat(compaction.due(0, 0, 10_000, 5_000)).as("dead 5,000 = next snapshot").isFalse();
    assertThat(compaction.due(0, 0, 10_001, 5_000)).as("dead 5,001").isTrue();
  }

  @Test
  void theSnapshotsDeadPayloadCountsAndItsOtherBytesGoIntoTheNextSnapshot() {
    // a snapshot of 3,000 bytes, 1,000 of them payload (flushed since), 2,000 of remembered ids and segments; a tail
    // of 6,000 bytes of which 2,000 still buffered: dead 1,000 + 4,000; the next snapshot 2,000 + 2,000
    assertThat(compaction.due(3_000, 1_000, 6_000, 2_000)).isTrue();
    // the same dead payload, but more ids to carry over: the next snapshot 2,000 + 3,000 would not be smaller
    assertThat(compaction.due(4_000, 1_000, 6_000, 2_000)).isFalse();
    assertThat(compaction.due(3_999, 1_000, 6_000, 2_000)).isTrue();
    // the snapshot's payload still buffered is not dead
    assertThat(compaction.due(3_000, 1_000, 5_000, 3_000)).isFalse();
  }

  @Test
  void neverBeforeTheDeadPayloadExceedsCompactionBytes() {
    assertThat(compaction.due(0, 0, FLOOR, 0)).as("dead = compactionBytes").isFalse();
    assertThat(compaction.due(0, 0, FLOOR + 1, 0)).isTrue();
    assertThat(new Compaction(100_000).due(0, 0, 90_000, 10)).isFalse();
  }
}
