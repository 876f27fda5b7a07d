package io.segbuf.kafka.internal;

import io.segbuf.FlushResult;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A shard as its flushers see it: the time the polling thread published to flush it at, whether it was let go,
 * the lock that lets one thread at a time flush it, and for how many cycles in a row its flush has lagged (a
 * reason to pause its partition). Thread-safe.
 */
public final class FlushedShard {
  private static final long UNKNOWN = Long.MIN_VALUE;

  /** Written by the polling thread, read by the flushers. */
  private volatile long flushAtMillis = UNKNOWN;
  private volatile boolean released;
  /** Written by whichever thread flushes the shard, under the lock. */
  private volatile int laggingCycles;
  private final ReentrantLock lock = new ReentrantLock();

  /** The time to flush the shard at from now on; null while its partition has none, and it is not flushed. */
  public void flushAt(@Nullable Instant now) {
    flushAtMillis = now == null ? UNKNOWN : now.toEpochMilli();
  }

  /** The time to flush the shard at; null when it has none yet or it was let go: not to be flushed then. */
  @Nullable Instant flushAt() {
    long at = flushAtMillis;
    return at == UNKNOWN || released ? null : Instant.ofEpochMilli(at);
  }

  /** Whether the shard has a time to flush at. */
  public boolean hasTime() {
    return flushAtMillis != UNKNOWN;
  }

  boolean released() {
    return released;
  }

  /** Let go: flushed no more once a flush in progress is over. */
  void release() {
    released = true;
  }

  /** Flushing it failed: that counts as a cycle that lagged. */
  public void failed() {
    laggingCycles++;
  }

  /**
   * It flushed {@code result}: the flush lagged when it reached {@code maxFlushSegments} (more is due than a cycle
   * flushes) or a sink failed to take a segment; a cycle that did neither ends the lag.
   */
  public void flushed(FlushResult result, int maxFlushSegments) {
    boolean lagging = result.segments() >= maxFlushSegments || result.retries() > 0;
    laggingCycles = lagging ? laggingCycles + 1 : 0;
  }

  /** Flush cycles in a row that lagged. */
  public int laggingCycles() {
    return laggingCycles;
  }

  ReentrantLock lock() {
    return lock;
  }
}
