package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Redis's memory as the store reports it: the master nearest its limit. Read at connect, where a policy that may
 * evict is refused, and then again at most once a second off the caller's thread, so that {@code usage()} (called
 * every poll) costs no round trip. Thread-safe.
 */
public final class RedisMemory {
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RedisAccess redis;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile Reading last;

  /**
   * Reads the masters' memory.
   *
   * @throws SegbufException when a master's {@code maxmemory-policy} may evict keys
   */
  public RedisMemory(RedisAccess redis) {
    this.redis = redis;
    this.last = read(redis);
  }

  /** Used and maximum bytes of the master with the highest fraction, maximum 0 when none has a limit. */
  public long[] usedAndMax() {
    Reading r = last;
    if (System.nanoTime() - r.atNanos > REFRESH_NANOS && refreshing.compareAndSet(false, true)) {
      CompletableFuture.runAsync(() -> {
        try {
          last = read(redis);
        } catch (RuntimeException e) {
          // keeps the last reading; the next call tries again
        } finally {
          refreshing.set(false);
        }
      });
    }
    return new long[] {r.used, r.max};
  }

  private static Reading read(RedisAccess redis) {
    List<String> infos = redis.infoOfMasters("memory");
    long used = 0;
    long max = 0;
    for (String info : infos) {
      String policy = field(info, "maxmemory_policy");
      if (!"noeviction".equals(policy)) {
        throw new SegbufException("maxmemory-policy must be noeviction but was " + policy + ": Redis may evict a"
            + " changelog that holds buffered spans, which would lose them silently (CONFIG SET maxmemory-policy"
            + " noeviction; a full Redis then refuses appends and the consumer pauses instead)");
      }
      long u = Long.parseLong(field(info, "used_memory"));
      long m = Long.parseLong(field(info, "maxmemory"));
      if (m > 0 && (max == 0 || (double) u / m > (double) used / max)) {
        used = u;
        max = m;
      } else if (max == 0) {
        used = Math.max(used, u);
      }
    }
    return new Reading(System.nanoTime(), used, max);
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new SegbufException("INFO memory must report " + name + " but did not");
  }

  private record Reading(long atNanos, long used, long max) {}
}
