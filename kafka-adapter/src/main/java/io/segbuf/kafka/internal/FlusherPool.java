package io.segbuf.kafka.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The threads that flush the shards the polling thread published, each at its published time, a shard at a time
 * under its lock: several threads share the shards and never flush one at once, and waiting for the sink never
 * delays polling. With no thread the polling thread flushes them itself ({@link #flushOnThisThread()}). Started
 * and stopped by the polling thread; the rest is thread-safe.
 */
public final class FlusherPool {
  /** One flush of one shard at {@code now} by a thread that holds it; true when it flushed a segment. */
  @FunctionalInterface
  public interface ShardFlush {
    boolean flush(TopicPartition tp, FlushedShard shard, Instant now);
  }

  private final ShardFlush flush;
  private final Clock clock;
  /** How long a flusher that found nothing to flush waits before it looks again. */
  private final Duration idle;
  private final Map<TopicPartition, FlushedShard> published = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;
  /** Each flusher's last sign of life, on the wall clock. */
  private final Map<Thread, Long> beats = new ConcurrentHashMap<>();
  private final AtomicLong cycles = new AtomicLong();

  public FlusherPool(ShardFlush flush, Clock clock, Duration idle) {
    this.flush = flush;
    this.clock = clock;
    this.idle = idle;
  }

  /** Starts {@code count} daemon threads named {@code name}-flusher-N. */
  public void start(int count, String name) {
    for (int i = 0; i < count; i++) {
      Thread thread = new Thread(this::flushLoop, name + "-flusher-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Whether flusher threads run: else the polling thread must flush ({@link #flushOnThisThread()}). */
  public boolean hasThreads() {
    return !threads.isEmpty();
  }

  /** Flushes {@code shard} from now on, at its time; a shard published already stays as it is. */
  public void publish(TopicPartition tp, FlushedShard shard) {
    published.putIfAbsent(tp, shard);
  }

  /**
   * Flushes {@code shard} no more: waits for a flush of it in progress on a flusher, runs {@code whileHeld} (the
   * last flush, say) while no flusher can take it, and forgets it.
   */
  public void withdraw(TopicPartition tp, FlushedShard shard, Runnable whileHeld) {
    shard.release();
    shard.lock().lock();
    try {
      whileHeld.run();
    } finally {
      published.remove(tp, shard);
      shard.lock().unlock();
    }
  }

  /**
   * Runs {@code whileHeld} (a takeover of the shard in the store) while no flusher can flush {@code shard}, unless one
   * is flushing it now: then does nothing, so that the polling thread never waits for a flush.
   */
  public void unlessFlushing(FlushedShard shard, Runnable whileHeld) {
    if (!shard.lock().tryLock()) {
      return;
    }
    try {
      whileHeld.run();
    } finally {
      shard.lock().unlock();
    }
  }

  /** Flushes every published shard at its time on the calling thread, the polling thread when there is no flusher. */
  public void flushOnThisThread() {
    cycles.incrementAndGet();
    published.forEach((tp, shard) -> {
      Instant at = shard.flushAt();
      if (at != null) {
        flush.flush(tp, shard, at);
      }
    });
  }

  /** A flusher thread: flushes every published shard at its time that no other thread is flushing. */
  private void flushLoop() {
    while (!stopping) {
      beats.put(Thread.currentThread(), clock.millis());
      boolean flushed = false;
      for (Map.Entry<TopicPartition, FlushedShard> e : published.entrySet()) {
        FlushedShard shard = e.getValue();
        Instant at = shard.flushAt();
        if (at == null || !shard.lock().tryLock()) {
          continue;
        }
        try {
          if (!shard.released()) { // it may have been let go before this thread took the lock
            flushed |= flush.flush(e.getKey(), shard, at);
          }
        } finally {
          shard.lock().unlock();
        }
      }
      cycles.incrementAndGet();
      if (!flushed) {
        LockSupport.parkNanos(idle.toNanos());
      }
    }
  }

  /** Stops the flusher threads and waits for them: no flush runs on them once it returns. */
  public void stop() {
    stopping = true;
    threads.forEach(LockSupport::unpark);
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    threads.clear();
  }

  /** Flush cycles run, by the flushers or the polling thread. */
  public long cycles() {
    return cycles.get();
  }

  /** The oldest of the flushers' last signs of life; null before any flusher ran. */
  public @Nullable Instant oldestBeat() {
    return beats.values().stream().min(Long::compare).map(Instant::ofEpochMilli).orElse(null);
  }
}
