package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * When a changelog is replaced by a snapshot: once the bytes it would free exceed three times the next snapshot (once,
 * while Redis is short of memory), and the floor; at Redis's memory limit, once it frees a quarter of the next snapshot
 * and a kilobyte. The next snapshot is measured only when its payload, a lower bound, does not rule compaction out.
 */
class CompactionTest {
  private static final long FLOOR = 1_024;
  private static final LongSupplier NOT_MEASURED = () -> {
    throw new AssertionError("the next snapshot must not be measured");
  };
  private final Compaction compaction = new Compaction(FLOOR, () -> false, () -> false);
  private final Compaction atTheLimit = new Compaction(FLOOR * 64, () -> true, () -> true);

  @Test
  void aChangelogOfSpansStillBufferedIsNeverCompacted() {
    assertThat(compaction.due(1_000_000, 1_000_000, NOT_MEASURED)).isFalse();
    assertThat(due(compaction, 1_040_000, 1_000_200)).isFalse();
  }

  @Test
  void dueOnceItFreesMoreThanThreeTimesTheNextSnapshot() {
    assertThat(due(compaction, 10_001, 5_000)).as("frees 5,001: a snapshot of 5,000 would cost as much").isFalse();
    assertThat(due(compaction, 20_000, 5_000)).as("frees 15,000 = 3 × next snapshot").isFalse();
    assertThat(due(compaction, 20_001, 5_000)).as("frees 15,001").isTrue();
  }

  @Test
  void whileRedisIsShortOfMemoryDueOnceItFreesMoreThanTheNextSnapshot() {
    Compaction shortOfMemory = new Compaction(FLOOR, () -> true, () -> false);
    assertThat(due(shortOfMemory, 10_000, 5_000)).as("frees 5,000 = next snapshot").isFalse();
    assertThat(due(shortOfMemory, 10_001, 5_000)).as("frees 5,001").isTrue();
    assertThat(due(shortOfMemory, FLOOR, 0)).as("frees compactionBytes").isFalse();
  }

  @Test
  void neverBeforeItFreesMoreThanCompactionBytes() {
    assertThat(due(compaction, FLOOR, 0)).as("frees compactionBytes").isFalse();
    assertThat(due(compaction, FLOOR + 1, 0)).isTrue();
    assertThat(due(new Compaction(100_000, () -> false, () -> false), 90_000, 10)).isFalse();
  }

  /**
   * The next snapshot is what the store holds now, not the last snapshot's ids carried over: a changelog that is a
   * snapshot of 12,000 bytes, mostly ids of spans remembered then and forgotten since, and 600 bytes of records after
   * it, frees 9,600 bytes at the limit when the next snapshot is 3,000 (before, the next snapshot was taken to hold the
   * last one's 12,000 bytes of ids, the 600 dead bytes were under a quarter of that, and Redis stayed full for good:
   * simulation seed 100667).
   */
  @Test
  void atTheMemoryLimitAQuarterOfTheNextSnapshotFreedIsDueWhateverTheFloor() {
    assertThat(due(new Compaction(FLOOR * 64, () -> true, () -> false), 12_600, 3_000)).as("below the limit")
        .isFalse();
    assertThat(due(atTheLimit, 12_600, 3_000)).isTrue();
    assertThat(due(atTheLimit, 1_000 + Compaction.AT_THE_LIMIT_BYTES, 1_000)).isTrue();
    assertThat(due(atTheLimit, 999 + Compaction.AT_THE_LIMIT_BYTES, 1_000)).as("frees under a kilobyte").isFalse();
    // a next snapshot of 40,000 bytes: a quarter of it is 10,000 bytes freed
    assertThat(due(atTheLimit, 50_000, 40_000)).isTrue();
    assertThat(due(atTheLimit, 49_999, 40_000)).isFalse();
    assertThat(due(atTheLimit, 1_000_000, 1_000_000)).as("frees nothing").isFalse();
  }

  @Test
  void theNextSnapshotIsMeasuredOnlyWhenItsPayloadDoesNotRuleCompactionOut() {
    assertThat(compaction.due(20_000, 5_001, NOT_MEASURED)).as("its payload alone is more than a third").isFalse();
    assertThat(atTheLimit.due(1_000 + Compaction.AT_THE_LIMIT_BYTES, 1_001, NOT_MEASURED)).isFalse();
    assertThat(compaction.due(20_000, 4_999, () -> 4_000)).as("measured").isTrue();
  }

  private static boolean due(Compaction compaction, long changelogBytes, long nextSnapshotBytes) {
    return compaction.due(changelogBytes, 0, () -> nextSnapshotBytes);
  }
}
