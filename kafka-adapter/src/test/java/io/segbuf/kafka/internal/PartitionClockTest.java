package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionClockTest {
  private static final Instant WALL = Instant.ofEpochSecond(1_700_000_000);
  private static final Clock WALL_CLOCK = Clock.fixed(WALL, ZoneOffset.UTC);
  private static final OptionalLong BEHIND = OptionalLong.of(5);
  private static final OptionalLong CAUGHT_UP = OptionalLong.of(0);

  @Test
  void aPartitionBehindIsAtTheLargestTimestampReadAndHasNoTimeBeforeAny() {
    PartitionClock clock = new PartitionClock();
    assertThat(clock.now(BEHIND, false, WALL_CLOCK)).isNull();
    assertThat(clock.now(OptionalLong.empty(), false, WALL_CLOCK)).isNull();
    clock.read(WALL.minusSeconds(60).toEpochMilli(), WALL.toEpochMilli());
    clock.read(WALL.minusSeconds(90).toEpochMilli(), WALL.toEpochMilli()); // older: time does not go back
    assertThat(clock.now(BEHIND, false, WALL_CLOCK)).isEqualTo(WALL.minusSeconds(60));
  }

  @Test
  void aTimestampAheadOfTheWallClockCountsAsTheWallClock() {
    PartitionClock clock = new PartitionClock();
    clock.read(WALL.plusSeconds(3600).toEpochMilli(), WALL.minusSeconds(10).toEpochMilli());
    assertThat(clock.now(BEHIND, false, WALL_CLOCK)).isEqualTo(WALL.minusSeconds(10));
  }

  @Test
  void aPartitionCaughtUpOrWhoseInputIsHeldIsAtTheWallClock() {
    PartitionClock clock = new PartitionClock();
    assertThat(clock.now(CAUGHT_UP, false, WALL_CLOCK)).isEqualTo(WALL);
    assertThat(clock.now(BEHIND, true, WALL_CLOCK)).isEqualTo(WALL);
    clock.read(WALL.minusSeconds(60).toEpochMilli(), WALL.toEpochMilli());
    assertThat(clock.now(CAUGHT_UP, false, WALL_CLOCK)).isEqualTo(WALL);
    assertThat(clock.now(BEHIND, true, WALL_CLOCK)).isEqualTo(WALL);
  }

  @Test
  void aWallClockBehindTheEventTimeDoesNotTakeTheTimeBack() {
    PartitionClock clock = new PartitionClock();
    clock.read(WALL.toEpochMilli(), WALL.toEpochMilli());
    Clock earlier = Clock.fixed(WALL.minusSeconds(30), ZoneOffset.UTC);
    assertThat(clock.now(CAUGHT_UP, false, earlier)).isEqualTo(WALL);
    assertThat(clock.now(BEHIND, true, earlier)).isEqualTo(WALL);
  }

  @Test
  void aBatchIsOfferedAtTheWallClockUntilThePartitionHasATime() {
    PartitionClock clock = new PartitionClock();
    assertThat(clock.nowOrWallClock(BEHIND, false, WALL_CLOCK)).isEqualTo(WALL);
    clock.read(WALL.minusSeconds(60).toEpochMilli(), WALL.toEpochMilli());
    assertThat(clock.nowOrWallClock(BEHIND, false, WALL_CLOCK)).isEqualTo(WALL.minusSeconds(60));
  }
}
