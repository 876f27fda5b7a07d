package io.segbuf.kafka.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A partition's time, the {@code now} its shard is offered and flushed at (docs/design.md §5): its event time, the
 * largest record timestamp read, until the partition is caught up, then the wall clock, never going back. Loop
 * thread only.
 */
public final class PartitionClock {
  private static final long UNKNOWN = Long.MIN_VALUE;

  private long eventTimeMillis = UNKNOWN;

  /** A record stamped {@code timestampMillis} was read when the wall clock said {@code wallClockMillis}. */
  public void read(long timestampMillis, long wallClockMillis) {
    // A timestamp ahead of the wall clock (a producer whose clock jumped) is no time yet: taken as it is, it would
    // hold every later segment of the partition back until the wall clock reached it.
    eventTimeMillis = Math.max(eventTimeMillis, Math.min(timestampMillis, wallClockMillis));
  }

  /**
   * The partition's time given its {@code lag} as Kafka last saw it: the event time until it is caught up (a lag
   * of 0), then the wall clock; the wall clock too while its {@code inputHeld} (paused for memory, or its batch
   * refused by the store), since the event time cannot move then. Null when neither is known yet.
   */
  public @Nullable Instant now(OptionalLong lag, boolean inputHeld, Clock wallClock) {
    boolean caughtUp = lag.isPresent() && lag.getAsLong() == 0;
    if (caughtUp || inputHeld) {
      return Instant.ofEpochMilli(Math.max(eventTimeMillis, wallClock.millis()));
    }
    return eventTimeMillis == UNKNOWN ? null : Instant.ofEpochMilli(eventTimeMillis);
  }

  /** {@link #now}, or the wall clock when the partition has no time yet: what a batch is offered at. */
  public Instant nowOrWallClock(OptionalLong lag, boolean inputHeld, Clock wallClock) {
    Instant now = now(lag, inputHeld, wallClock);
    return now != null ? now : wallClock.instant();
  }
}
