package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Redis's memory as the store reports it: the master nearest its limit. Read at connect, where a policy that may
 * evict is refused, and then again at most once a second off the caller's thread, so that {@code usage()} (called
 * every poll) costs no round trip; a policy that may evict found by such a reading fails every later call, as it
 * failed connect. Thread-safe.
 */
public final class RedisMemory {
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * What Redis is taken to use per byte appended since the last reading: more than one, because a list entry costs
   * its allocator's size class and its node's header (measured on Redis 7.0: 1.01 for records that fill a size
   * class, up to 1.28 for small records packed into list nodes), and a reading is up to a second old. Over-counting
   * pauses input a little early until the next reading; under-counting let Redis refuse appends first.
   */
  private static final double APPENDED_COST = 1.5;
  /** The room a changelog record of a batch needs at most (the store's records are under 64 KiB). */
  static final long RECORD_ROOM = 64 * 1024;
  /**
   * Halves of a record Redis holds at once when it decides whether to take it: the argument and the query buffer Redis
   * allocates for a next argument as large (Redis 7), each rounded up to the allocator's size class (up to a quarter
   * more). Measured on Redis 7.0, an empty master with {@code maxmemory} 1,000,000 bytes above its {@code
   * used_memory_startup} took a record of 393,066 bytes and no larger.
   */
  private static final long RECORD_HALVES = 5;

  /** The INFO memory text of every master. */
  private final Supplier<List<String>> infoOfMasters;
  /** Where a reading runs, off the caller's thread. */
  private final Executor readings;
  private final LongSupplier nanoTime;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  /** Bytes this store appended since it connected: what Redis took since the last reading is added to it. */
  private final AtomicLong appended = new AtomicLong();
  private volatile Reading last;
  /** Why Redis may no longer be used: a reading found a policy that may evict. */
  private volatile @Nullable SegbufException evicting;

  /**
   * Reads the masters' memory.
   *
   * @throws SegbufException when a master's {@code maxmemory-policy} may evict keys
   */
  public RedisMemory(ChangelogRedis redis, LongSupplier nanoTime) {
    this(redis, nanoTime, CompletableFuture::runAsync);
  }

  /** {@link #RedisMemory(ChangelogRedis, LongSupplier)}, reading with {@code readings} (a simulation's thread). */
  public RedisMemory(ChangelogRedis redis, LongSupplier nanoTime, Executor readings) {
    this(() -> redis.infoOfMasters("memory"), nanoTime, readings);
  }

  /** Reads INFO memory texts from {@code infoOfMasters}: the parsing and the timing without a server. */
  RedisMemory(Supplier<List<String>> infoOfMasters, LongSupplier nanoTime, Executor readings) {
    this.infoOfMasters = infoOfMasters;
    this.readings = readings;
    this.nanoTime = nanoTime;
    this.last = reading(infoOfMasters.get(), 0, nanoTime.getAsLong());
  }

  /** Counts bytes appended, so that memory is known to grow before Redis reports it again. */
  void appended(long bytes) {
    appended.addAndGet(bytes);
  }

  /**
   * Whether the master with the highest fraction uses more than half its {@code maxmemory}, as last read plus what this
   * store appended since; false without a limit. Never reads Redis nor fails: compaction asks it after every change.
   */
  public boolean aboveHalf() {
    Reading r = last;
    return r.max > 0 && r.used + (long) ((appended.get() - r.appendedAtRead) * APPENDED_COST) > r.max / 2;
  }

  /**
   * Used and maximum bytes of the master with the highest fraction (maximum 0 when none has a limit); used as last
   * read plus what this store appended since, at {@link #APPENDED_COST} a byte.
   *
   * @throws SegbufException once a reading found a {@code maxmemory-policy} that may evict keys (set after connect)
   */
  public long[] usedAndMax() {
    SegbufException why = evicting;
    if (why != null) {
      throw why;
    }
    return estimate();
  }

  /**
   * The largest record every empty master takes, the least over the masters with a limit as last read, or {@link
   * Long#MAX_VALUE} when none has one: the master that holds a shard's changelog refuses a larger record, however much
   * it frees (bounded by the roomiest master, a record between the two was refused every time by a smaller one, and its
   * partition stalled behind it). An empty master holds its own structures ({@code used_memory_startup}) and the
   * clients' ({@value #RECORD_ROOM} bytes), and while it decides on a record, up to two and a half times the record
   * ({@link #RECORD_HALVES}).
   */
  public long largestRecord() {
    return current().largestRecord;
  }

  /**
   * Whether the master nearest its limit is at it as {@link #usedAndMax} counts, so that Redis refuses batches: within
   * {@value #RECORD_ROOM} bytes of it, the room one more record needs. Redis counts a command's arguments while it
   * reads them, so it refuses a record that does not fit, and once it has freed them its memory reads below the limit
   * again: a reading that reaches the limit exactly may never come. False without a limit, and once a policy that may
   * evict was found ({@link #usedAndMax} reports that).
   */
  public boolean atTheLimit() {
    if (evicting != null) {
      return false;
    }
    long[] usedAndMax = estimate();
    return usedAndMax[1] > 0 && usedAndMax[0] + RECORD_ROOM >= usedAndMax[1];
  }

  private long[] estimate() {
    Reading r = current();
    long sinceRead = appended.get() - r.appendedAtRead;
    return new long[] {r.used + (long) (sinceRead * APPENDED_COST), r.max};
  }

  /** The last reading; a new one is started off the caller's thread once it is older than a second. */
  private Reading current() {
    Reading r = last;
    long now = nanoTime.getAsLong();
    if (now - r.atNanos > REFRESH_NANOS && refreshing.compareAndSet(false, true)) {
      long appendedAtRead = appended.get();
      readings.execute(() -> {
        try {
          List<String> infos;
          try {
            infos = infoOfMasters.get();
          } catch (RuntimeException e) {
            return; // keeps the last reading; the next call tries again
          }
          try {
            last = reading(infos, appendedAtRead, now);
          } catch (SegbufException e) {
            // the policy changed since connect: fail as connect did, rather than buffer into a Redis that may evict
            evicting = e;
          }
        } finally {
          refreshing.set(false);
        }
      });
    }
    return r;
  }

  /**
   * Reads the masters' memory now, on the caller's thread.
   *
   * @throws SegbufException when a master does not answer or its {@code maxmemory-policy} may evict keys
   */
  public void refresh() {
    List<String> infos = infoOfMasters.get();
    try {
      last = reading(infos, appended.get(), nanoTime.getAsLong());
    } catch (SegbufException e) {
      evicting = e;
      throw e;
    }
  }

  private static Reading reading(List<String> infos, long appendedAtRead, long atNanos) {
    long used = 0;
    long max = 0;
    long largestRecord = Long.MAX_VALUE;
    for (String info : infos) {
      String policy = field(info, "maxmemory_policy");
      if (!"noeviction".equals(policy)) {
        throw new SegbufException("maxmemory-policy must be noeviction but was " + policy + ": Redis may evict a"
            + " changelog that holds buffered spans, which would lose them silently (CONFIG SET maxmemory-policy"
            + " noeviction; a full Redis then refuses appends and the consumer pauses instead)");
      }
      long u = Long.parseLong(field(info, "used_memory"));
      long m = Long.parseLong(field(info, "maxmemory"));
      long startup = Long.parseLong(field(info, "used_memory_startup"));
      if (m > 0) {
        largestRecord = Math.min(largestRecord, Math.max(0, m - startup - RECORD_ROOM) * 2 / RECORD_HALVES);
      }
      if (m > 0 && (max == 0 || (double) u / m > (double) used / max)) {
        used = u;
        max = m;
      } else if (max == 0) {
        used = Math.max(used, u);
      }
    }
    return new Reading(atNanos, used, max, largestRecord, appendedAtRead);
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new SegbufException("INFO memory must report " + name + " but did not");
  }

  private record Reading(long atNanos, long used, long max, long largestRecord, long appendedAtRead) {}
}
