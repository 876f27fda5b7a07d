package io.segbuf.internal;

import io.segbuf.SegmentKey;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The segments whose flush threw, per shard, each with its own exponential back-off in event time, so that one bad
 * segment (the oldest, listed first every cycle) never holds back the rest of its shard. Safe for one flusher per
 * shard at a time, on any threads.
 */
final class SegmentBackoff {
  static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  static final Duration MAX_DELAY = Duration.ofMinutes(1);

  private final Map<Integer, Map<SegmentKey, Failing>> shards = new ConcurrentHashMap<>();

  /** Segments of {@code shard} backed off now or earlier and not yet flushed. */
  int count(int shard) {
    Map<SegmentKey, Failing> failing = shards.get(shard);
    return failing == null ? 0 : failing.size();
  }

  /** Segments of every shard backed off now or earlier and not yet flushed. */
  int count() {
    int count = 0;
    for (Map<SegmentKey, Failing> failing : shards.values()) {
      count += failing.size();
    }
    return count;
  }

  /** Whether the segment failed and its back-off has not run out at {@code nowMillis}. */
  boolean waiting(int shard, SegmentKey key, long nowMillis) {
    Map<SegmentKey, Failing> failing = shards.get(shard);
    Failing f = failing == null ? null : failing.get(key);
    return f != null && nowMillis < f.retryAtMillis;
  }

  /** Records one more failure; returns the consecutive failures of the segment so far. */
  int failed(int shard, SegmentKey key, long nowMillis) {
    Map<SegmentKey, Failing> failing = shards.computeIfAbsent(shard, s -> new ConcurrentHashMap<>());
    Failing previous = failing.get(key);
    int attempts = previous == null ? 1 : previous.attempts + 1;
    // 1 s, 2 s, 4 s ... capped; the shift is bounded so that it never overflows
    long delay = Math.min(MAX_DELAY.toMillis(), FIRST_DELAY.toMillis() << Math.min(attempts - 1, 16));
    failing.put(key, new Failing(attempts, saturatedAdd(nowMillis, delay)));
    return attempts;
  }

  /** The segment flushed (or holds nothing any more): it is healthy again. */
  void succeeded(int shard, SegmentKey key) {
    Map<SegmentKey, Failing> failing = shards.get(shard);
    if (failing != null) {
      failing.remove(key);
    }
  }

  /**
   * Forgets the back-offs of {@code shard} that ran out by {@code nowMillis} for segments not in {@code due}, every
   * segment due then: such a segment is gone (its completion reached the store though the call failed, or a rebuilt
   * store no longer holds it), or not due any more (its time went back), which costs it only its count of failures.
   * Left, they would count for good among the segments that wait for a retry.
   */
  void keepOnly(int shard, Set<SegmentKey> due, long nowMillis) {
    Map<SegmentKey, Failing> failing = shards.get(shard);
    if (failing != null) {
      failing.entrySet().removeIf(e -> e.getValue().retryAtMillis <= nowMillis && !due.contains(e.getKey()));
    }
  }

  /** The shard's segments are no longer this flusher's to retry. */
  void forget(int shard) {
    shards.remove(shard);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private record Failing(int attempts, long retryAtMillis) {}
}
