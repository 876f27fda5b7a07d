package io.segbuf.kafka.internal;

import io.segbuf.spi.StoreUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which partitions wait while polling goes on (docs/design.md §5, §7): every assigned partition while the store's
 * memory fraction or buffered bytes are at their limit, until it is below {@code resumeFactor} of it (flushes of
 * any partition free memory); otherwise only a partition whose flush has lagged for {@code laggingFlushCycles}
 * cycles in a row or whose batch the store refused, until its back-off is over. Nothing is dropped: a paused
 * partition is read on once resumed. Polling thread only; the counters may be read from any thread.
 */
public final class Backpressure {
  private static final Logger log = LoggerFactory.getLogger(Backpressure.class);

  private final double pauseAboveMemoryFraction;
  /** 0: no limit on buffered bytes. */
  private final long pauseAboveBufferedBytes;
  private final double resumeFactor;
  private final int laggingFlushCycles;
  private boolean pausedForMemory;
  private volatile boolean paused;
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicLong resumes = new AtomicLong();

  public Backpressure(double pauseAboveMemoryFraction, long pauseAboveBufferedBytes, double resumeFactor,
      int laggingFlushCycles) {
    this.pauseAboveMemoryFraction = pauseAboveMemoryFraction;
    this.pauseAboveBufferedBytes = pauseAboveBufferedBytes;
    this.resumeFactor = resumeFactor;
    this.laggingFlushCycles = laggingFlushCycles;
  }

  /**
   * Pauses the partitions of {@code consumer}'s assignment that must wait and resumes the others, given the store's
   * {@code usage}, how many of its segments are backed off after failed flushes, and the partitions {@code owned}
   * as of {@code nowMillis} on the wall clock.
   */
  public void apply(Consumer<?, ?> consumer, StoreUsage usage, long backedOffSegments,
      Map<TopicPartition, OwnedPartition> owned, long nowMillis) {
    pausedForMemory = pauseForMemory(usage, backedOffSegments);
    Set<TopicPartition> assignment = consumer.assignment();
    Set<TopicPartition> waiting = new HashSet<>();
    owned.forEach((tp, partition) -> {
      if (waits(partition, nowMillis)) {
        waiting.add(tp);
      }
    });
    waiting.retainAll(assignment);
    // Again every cycle: partitions assigned since the pause start unpaused.
    Set<TopicPartition> toPause = pausedForMemory ? assignment : waiting;
    consumer.pause(toPause);
    Set<TopicPartition> toResume = new HashSet<>(consumer.paused());
    toResume.removeAll(toPause);
    if (!toResume.isEmpty()) {
      consumer.resume(toResume);
    }
    if (!toPause.isEmpty() && !paused) {
      paused = true;
      pauses.incrementAndGet();
      log.info("pausing input of {}: store {} bytes ({}% of memory)", pausedForMemory ? "every partition" : toPause,
          usage.bytes(), Math.round(usage.memoryFraction() * 100));
    } else if (toPause.isEmpty() && paused) {
      paused = false;
      resumes.incrementAndGet();
      log.info("resuming input: store {} bytes", usage.bytes());
    }
  }

  /** Whether input stays (or starts being) paused for memory: above the limit to start, below its resume level to stop. */
  private boolean pauseForMemory(StoreUsage usage, long backedOffSegments) {
    double fraction = usage.memoryFraction();
    boolean memoryHigh = fraction >= pauseAboveMemoryFraction
        || (pauseAboveBufferedBytes > 0 && usage.bytes() >= pauseAboveBufferedBytes);
    boolean memoryLow = fraction < pauseAboveMemoryFraction * resumeFactor
        && (pauseAboveBufferedBytes == 0 || usage.bytes() < pauseAboveBufferedBytes * resumeFactor);
    // Pausing helps only while flushes can free memory: a store that holds no spans, or only segments whose flush
    // keeps failing, and is still full stays full however long input waits, so input goes on (and a write the store
    // refuses is read again).
    boolean flushesCanFree = usage.spans() > 0 && usage.segments() > backedOffSegments;
    return flushesCanFree && (pausedForMemory ? !memoryLow : memoryHigh);
  }

  private boolean waits(OwnedPartition partition, long nowMillis) {
    // A partition with no time yet (nothing offered since its assignment, not caught up) is not flushed: paused
    // for a flush lag counted before, it would never get a time, so never flush again nor resume.
    boolean lagging = partition.flush().laggingCycles() >= laggingFlushCycles && partition.flush().hasTime();
    return lagging || partition.backoff().waiting(nowMillis);
  }

  /**
   * Whether every partition is paused for memory: their event time cannot move then, so they flush at the wall
   * clock.
   */
  public boolean pausedForMemory() {
    return pausedForMemory;
  }

  /** Whether some partition is paused. */
  public boolean paused() {
    return paused;
  }

  public long pauses() {
    return pauses.get();
  }

  public long resumes() {
    return resumes.get();
  }
}
