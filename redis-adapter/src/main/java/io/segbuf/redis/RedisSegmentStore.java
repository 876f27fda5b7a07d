package io.segbuf.redis;

import io.segbuf.FlushPolicy;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.redis.internal.ChangelogCodec;
import io.segbuf.redis.internal.ChangelogRecord;
import io.segbuf.redis.internal.ChangelogRedis;
import io.segbuf.redis.internal.Compaction;
import io.segbuf.redis.internal.OwnedShard;
import io.segbuf.redis.internal.RedisAccess;
import io.segbuf.redis.internal.RedisMemory;
import io.segbuf.redis.internal.ShardKeys;
import io.segbuf.redis.internal.ShardLog;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.Completion;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SnapshotStore;
import io.segbuf.spi.StoreUnavailableException;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SegmentStore} whose state survives the process in Redis or Redis Cluster (docs/design.md §5). Shard = Kafka
 * partition, and one process owns a shard at a time: the owner's in-memory store is the shard's state, and every change
 * to it (a batch of spans with their payloads, a seal, a completion) is appended to the shard's changelog before the
 * call returns, in one round trip. {@link #acquire} takes a shard over: it bumps the shard's epoch, which fences the
 * former owner, and replays the changelog into a new in-memory store, which then holds the same segment ids,
 * generations and duplicates the former owner held. A shard used without {@link #acquire} or {@link #release} (a
 * replay) is taken over at its first use; once either was called for it, only {@link #acquire} takes it over: while the
 * last one failed, or after a release, its use is refused. A zombie that lost a partition without knowing yet (a
 * stalled process, a flush under way) so never fences the partition's new owner by using the shard.
 *
 * <p>Why no acknowledged span is lost: {@link #add} returns only once Redis holds the batch's records in the
 * changelog of the current epoch (a list that {@code RPUSHX} appends to only while it exists). A takeover renames
 * that list, whole, to the next epoch's key in one script, so every record appended before it is replayed by the
 * new owner, and every append after it (a zombie's) finds no list, is refused with a {@link ShardFencedException}
 * and so is never acknowledged. Records leave the changelog only when the owner compacts it into a snapshot of the
 * state that includes them. No key has a TTL, and a Redis that may evict keys is refused at {@link #connect}.
 *
 * <p>Thread-safe: one writer and one flusher per shard, as {@link SegmentStore} asks. Payloads are kept in the heap
 * while buffered; byte arrays of added spans are only read.
 */
public final class RedisSegmentStore implements SegmentStore {
  /**
   * A batch is added as records of at most this many bytes (or one span, when it alone is larger), pipelined:
   * Redis refuses a command while it is out of memory, so that a batch larger than the room left gets in part by
   * part as flushes free memory (the parts stored are duplicates when the batch is read again), instead of never.
   * 64 KiB less room for the list entry's own header, so that a record fills jemalloc's 64 KiB size class (one of
   * exactly 16 KiB was rounded up to the 20 KiB class, 25 % of Redis memory wasted, measured on Redis 7.0); and at
   * least 32 KiB, Redis's size for a big argument, which it reads straight into the value instead of copying it out of
   * its input buffer: Redis CPU per span of batches of 100 and 1,000 spans fell by a third against records of 16 KiB
   * (RedisIngestBenchmark, redis-adapter/README.md).
   */
  static final int MAX_RECORD_BYTES = 64 * 1024 - 64;

  private final RedisStoreOptions options;
  private final ChangelogRedis redis;
  private final RedisMemory memory;
  private final ShardKeys keys;
  private final Compaction compaction;
  private final Map<Integer, OwnedShard> shards = new ConcurrentHashMap<>();
  /** Shards whose ownership the caller manages (it called acquire or release): never taken over at a first use. */
  private final Set<Integer> managed = ConcurrentHashMap.newKeySet();
  /** The shard of this thread's last {@link #due}: the one whose segment {@link #seal} is asked for. */
  private final ThreadLocal<Integer> lastDue = new ThreadLocal<>();
  private final SegmentStore unacknowledged = new Unacknowledged();
  /** Why changes made through {@link #unacknowledged()} to a shard then taken over again are not held, or null. */
  private volatile @Nullable RuntimeException lostAtTakeover;

  private RedisSegmentStore(RedisStoreOptions options, ChangelogRedis redis, Function<ChangelogRedis, RedisMemory> memory) {
    this.options = options;
    this.redis = redis;
    try {
      this.memory = memory.apply(redis);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    this.keys = new ShardKeys(options.keyPrefix());
    this.compaction = new Compaction(options.compactionBytes(), this.memory::aboveHalf, this.memory::atTheLimit);
  }

  /**
   * Connects and checks that Redis will not evict the changelogs.
   *
   * @param options where Redis is and how the store uses it
   * @return a connected store; the caller closes it
   * @throws SegbufException when Redis cannot be reached, or its {@code maxmemory-policy} is not {@code noeviction}
   */
  public static RedisSegmentStore connect(RedisStoreOptions options) {
    try {
      return new RedisSegmentStore(options,
          new RedisAccess(options.uris(), options.cluster(), options.commandTimeout()),
          redis -> new RedisMemory(redis, System::nanoTime));
    } catch (SegbufException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SegbufException("cannot connect to Redis at " + options + ": " + e, e);
    }
  }

  /**
   * A store over another implementation of the commands it sends (a simulated Redis), reading Redis's memory at
   * {@code nanoTime} on {@code readings}; connect's checks apply.
   */
  static RedisSegmentStore over(RedisStoreOptions options, ChangelogRedis redis, LongSupplier nanoTime,
      Executor readings) {
    return new RedisSegmentStore(options, redis, r -> new RedisMemory(r, nanoTime, readings));
  }

  /** {@return the options it was connected with} */
  public RedisStoreOptions options() {
    return options;
  }

  @Override
  public void acquire(int shard) {
    managed.add(shard);
    takeOver(shard);
  }

  private void takeOver(int shard) {
    OwnedShard held = shards.get(shard);
    if (held != null) {
      // changes not waited for reach the changelog before the takeover moves it, so that the new state has them
      held.lock.lock();
      try {
        held.acknowledge();
      } catch (RuntimeException e) {
        lostAtTakeover = e;
      } finally {
        held.lock.unlock();
      }
    }
    OwnedShard owned;
    try {
      owned = OwnedShard.takeOver(ShardLog.takeOver(redis, options.commandTimeout(), memory, keys, shard),
          options.recentlyFlushedSpans(), compaction);
    } catch (RuntimeException e) {
      // What this store held of the shard is forgotten (the takeover may have run after all, and fenced it): the
      // shard is refused until an acquire succeeds.
      OwnedShard former = shards.remove(shard);
      if (former != null) {
        former.release(new ShardFencedException("shard " + shard + " was given up when its takeover failed"));
      }
      throw e;
    }
    OwnedShard former = shards.put(shard, owned);
    if (former != null) {
      former.release(new ShardFencedException("shard " + shard + " was taken over again by this store"));
    }
  }

  @Override
  public void release(int shard) {
    managed.add(shard);
    OwnedShard owned = shards.get(shard);
    if (owned != null) {
      owned.lock.lock();
      try {
        owned.release(new ShardFencedException("shard " + shard + " was released by this store"));
      } finally {
        owned.lock.unlock();
      }
    }
  }

  @Override
  public boolean holds(int shard) {
    OwnedShard owned = shards.get(shard);
    return owned != null ? owned.held() : !managed.contains(shard);
  }

  /**
   * The shard's owner state, taking the shard over when this store never held it and its caller does not manage its
   * ownership.
   *
   * @throws StoreUnavailableException when the caller manages the shard's ownership and no acquire of it succeeded
   */
  private OwnedShard owned(int shard) {
    OwnedShard owned = shards.get(shard);
    if (owned == null) {
      synchronized (shards) {
        owned = shards.get(shard);
        if (owned == null) {
          if (managed.contains(shard)) {
            throw new StoreUnavailableException("shard " + shard + " is not held by this store: its takeover failed;"
                + " it is refused until acquire(" + shard + ") succeeds");
          }
          takeOver(shard);
          owned = shards.get(shard);
        }
      }
    }
    if (owned == null) {
      throw new IllegalStateException("shard " + shard + " must be held after its takeover");
    }
    return owned;
  }

  @Override
  public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    return add(shard, spans, policy, now, true);
  }

  /**
   * This store, answering its {@link #add}, {@link #seal} and {@link #complete} once the change is made to the
   * owner's in-memory store, without waiting for Redis: the records are gathered per shard and sent as one command
   * per 256 KiB, pipelined, so that a replay of a file costs neither a round trip nor a command per line or per
   * flush. Redis's answers are checked before the shard's next change made through this store itself, at {@link
   * #sync}, or once 16 commands wait (compaction is considered then). A command keeps the records' order, appends
   * only to the changelog's length its owner expects (never twice, never after a refused one), and is refused whole
   * at {@code maxmemory}, seals and completions included.
   */
  @Override
  public SegmentStore unacknowledged() {
    return unacknowledged;
  }

  /**
   * Waits until Redis answered every record sent through {@link #unacknowledged()} to the shards held; throws the
   * failure of any such record, also one thrown before by another call, or found when the shard was acquired again.
   */
  @Override
  public void sync() {
    for (OwnedShard owned : shards.values()) {
      owned.lock.lock();
      try {
        owned.acknowledge();
      } finally {
        owned.lock.unlock();
      }
    }
    RuntimeException lost = lostAtTakeover;
    if (lost != null) {
      throw lost;
    }
  }

  private AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now, boolean acknowledged) {
    if (spans.isEmpty()) {
      return new AddResult(new BitSet());
    }
    refuseWhatRedisCanNeverHold(spans);
    try {
      return add(owned(shard), shard, spans, policy, now, acknowledged);
    } catch (RuntimeException e) {
      if (memory.atTheLimit()) {
        // Redis refused the batch: the dead records of the other shards, which may see no change, free memory
        for (OwnedShard other : shards.values()) {
          other.lock.lock();
          try {
            other.compactIdle();
          } finally {
            other.lock.unlock();
          }
        }
      }
      // the spans were parsed: whatever failed (Redis away, slow or full, the shard taken, its changelog unreadable)
      // is the store's, and the same spans may be taken later
      throw e instanceof StoreUnavailableException unavailable ? unavailable
          : new StoreUnavailableException(String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * A span whose record is larger than the smallest master with a limit takes (see {@link RedisMemory#largestRecord})
   * is refused for itself, before any change: refused by Redis, it was the store's refusal, read again for good, and
   * its partition stalled behind it. A record of a batch ({@value #MAX_RECORD_BYTES} bytes at most) is never refused
   * so: the room it needs is the room {@code maxmemory} leaves (the store pauses input within that room of the limit).
   */
  private void refuseWhatRedisCanNeverHold(List<Span> spans) {
    long largest = memory.largestRecord();
    if (largest == Long.MAX_VALUE) {
      return;
    }
    long bound = Math.max(largest, MAX_RECORD_BYTES);
    for (Span span : spans) {
      long record = ChangelogCodec.addedBytes(1, span.size());
      if (record > bound) {
        throw new SegbufException("the changelog record of span " + Long.toHexString(span.spanId())
            + " must be at most " + bound + " bytes, the largest an empty Redis master takes within its maxmemory,"
            + " but was " + record + " bytes: Redis can never hold it");
      }
    }
  }

  private AddResult add(OwnedShard owned, int shard, List<Span> spans, FlushPolicy policy, Instant now,
      boolean acknowledged) {
    owned.lock.lock();
    try {
      SnapshotStore store = owned.store();
      BitSet duplicates = new BitSet();
      List<ChangelogRecord> records = new ArrayList<>();
      int from = 0;
      while (from < spans.size()) {
        int to = from + 1;
        long payload = spans.get(from).size();
        while (to < spans.size()
            && ChangelogCodec.addedBytes(to - from + 1, payload + spans.get(to).size()) <= MAX_RECORD_BYTES) {
          payload += spans.get(to++).size();
        }
        List<Span> part = spans.subList(from, to);
        AddResult added = store.add(shard, part, policy, now);
        // a duplicate changes nothing, so its record leaves it out: a batch read again costs Redis nothing
        List<Span> stored = new ArrayList<>(part.size());
        for (int i = 0; i < part.size(); i++) {
          duplicates.set(from + i, added.isDuplicate(i));
          if (!added.isDuplicate(i)) {
            stored.add(part.get(i));
          }
        }
        if (!stored.isEmpty()) {
          records.add(new ChangelogRecord.Added(stored, policy, now.toEpochMilli()));
        }
        from = to;
      }
      owned.appendBatch(records, acknowledged);
      return new AddResult(duplicates);
    } finally {
      owned.lock.unlock();
    }
  }

  @Override
  public List<DueSegment> due(int shard, Instant now, int limit) {
    OwnedShard owned = owned(shard);
    lastDue.set(shard);
    owned.lock.lock();
    try {
      List<DueSegment> due = owned.store().due(shard, now, limit);
      if (memory.atTheLimit()) {
        // The dead records of a shard that sees no change free memory too: its process's own input may never be
        // refused (another process's is), and a flush cycle comes whatever the input.
        owned.compactIdle();
      }
      return due;
    } finally {
      owned.lock.unlock();
    }
  }

  @Override
  public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    return seal(List.of(key), now, true).get(0);
  }

  /**
   * Seals the segments in their shards' stores and appends their records, one command per shard instead of a round
   * trip each (a flush's seals, before it sends any); returns once Redis holds them, as {@link #seal(SegmentKey,
   * Instant)} does. When a shard's append fails, the call throws: that shard's seals are read again from its
   * changelog before its next use, and the shards sealed before it keep theirs (sealing again gives them).
   */
  @Override
  public List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now) {
    return seal(keys, now, true);
  }

  /**
   * Each segment is looked for in the shard of this thread's last {@link #due} first, then in the other shards held;
   * the shards' records are appended, a command per shard, as they are sealed.
   */
  private List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now, boolean acknowledged) {
    List<OwnedShard> order = new ArrayList<>();
    Integer preferred = lastDue.get();
    OwnedShard first = preferred == null ? null : shards.get(preferred);
    if (first != null) {
      order.add(first);
    }
    shards.values().forEach(s -> {
      if (s != first && s.usable()) {
        order.add(s);
      }
    });
    List<@Nullable SealedSegment> sealed = new ArrayList<>(Collections.nCopies(keys.size(), null));
    BitSet left = new BitSet(keys.size());
    left.set(0, keys.size());
    for (OwnedShard owned : order) {
      if (left.isEmpty()) {
        break;
      }
      owned.lock.lock();
      try {
        SnapshotStore store = owned.store();
        List<ChangelogRecord> records = new ArrayList<>();
        for (int i = left.nextSetBit(0); i >= 0; i = left.nextSetBit(i + 1)) {
          SealedSegment segment = store.seal(keys.get(i), now);
          if (segment != null) {
            sealed.set(i, segment);
            left.clear(i);
            records.add(new ChangelogRecord.Sealed(keys.get(i), now.toEpochMilli()));
          }
        }
        if (records.isEmpty()) {
          continue;
        }
        if (acknowledged) {
          owned.appendAll(records);
        } else {
          owned.appendBatch(records, false);
        }
      } finally {
        owned.lock.unlock();
      }
    }
    return sealed;
  }

  @Override
  public List<Span> read(SealedSegment segment) {
    OwnedShard owned = owned(segment.shard());
    owned.lock.lock();
    try {
      return owned.store().read(segment);
    } finally {
      owned.lock.unlock();
    }
  }

  @Override
  public void complete(SealedSegment segment, boolean chunked) {
    complete(segment, chunked, true);
  }

  /**
   * Completes the generations in their shards' stores and appends their records, one command per shard instead of a
   * round trip each (a flush's completions); returns once Redis holds them, as {@link #complete(SealedSegment,
   * boolean)} does.
   */
  @Override
  public void complete(List<Completion> completions) {
    Map<Integer, List<Completion>> byShard = new LinkedHashMap<>();
    for (Completion c : completions) {
      byShard.computeIfAbsent(c.segment().shard(), s -> new ArrayList<>()).add(c);
    }
    byShard.forEach((shard, those) -> {
      OwnedShard owned = owned(shard);
      owned.lock.lock();
      try {
        SnapshotStore store = owned.store();
        List<ChangelogRecord> records = new ArrayList<>(those.size());
        for (Completion c : those) {
          store.complete(c.segment(), c.chunked());
          records.add(new ChangelogRecord.Completed(c.segment(), c.chunked()));
        }
        owned.appendAll(records);
      } finally {
        owned.lock.unlock();
      }
    });
  }

  private void complete(SealedSegment segment, boolean chunked, boolean acknowledged) {
    OwnedShard owned = owned(segment.shard());
    owned.lock.lock();
    try {
      owned.store().complete(segment, chunked);
      owned.append(new ChangelogRecord.Completed(segment, chunked), acknowledged);
    } finally {
      owned.lock.unlock();
    }
  }

  /** True: every span is in the shard's changelog once {@link #add} returned, for whoever takes the shard over. */
  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public StoreUsage usage() {
    long segments = 0;
    long spans = 0;
    long bytes = 0;
    long forgotten = 0;
    for (OwnedShard owned : shards.values()) {
      if (owned.usable()) {
        StoreUsage u = owned.storeAsIs().usage();
        segments += u.segments();
        spans += u.spans();
        bytes += u.bytes();
        forgotten += u.forgottenSpans();
      }
    }
    long[] usedAndMax = memory.usedAndMax();
    return new StoreUsage(segments, spans, bytes, usedAndMax[0], usedAndMax[1], forgotten);
  }

  /** Reads every master's memory now: it answers, and its {@code maxmemory-policy} still cannot evict. */
  @Override
  public void check() {
    memory.refresh();
  }

  @Override
  public Set<Integer> shards() {
    Set<Integer> held = new HashSet<>();
    for (OwnedShard owned : shards.values()) {
      if (owned.usable()) {
        held.addAll(owned.storeAsIs().shards());
      }
    }
    return held;
  }


  /** {@link #unacknowledged()}: the same store, its changes not waiting for Redis. */
  private final class Unacknowledged implements SegmentStore {
    @Override
    public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
      return RedisSegmentStore.this.add(shard, spans, policy, now, false);
    }

    @Override
    public List<DueSegment> due(int shard, Instant now, int limit) {
      return RedisSegmentStore.this.due(shard, now, limit);
    }

    @Override
    public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
      return RedisSegmentStore.this.seal(List.of(key), now, false).get(0);
    }

    @Override
    public List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now) {
      return RedisSegmentStore.this.seal(keys, now, false);
    }

    @Override
    public List<Span> read(SealedSegment segment) {
      return RedisSegmentStore.this.read(segment);
    }

    @Override
    public void complete(SealedSegment segment, boolean chunked) {
      RedisSegmentStore.this.complete(segment, chunked, false);
    }

    @Override
    public StoreUsage usage() {
      return RedisSegmentStore.this.usage();
    }

    @Override
    public Set<Integer> shards() {
      return RedisSegmentStore.this.shards();
    }

    @Override
    public void acquire(int shard) {
      RedisSegmentStore.this.acquire(shard);
    }

    @Override
    public void release(int shard) {
      RedisSegmentStore.this.release(shard);
    }

    @Override
    public boolean holds(int shard) {
      return RedisSegmentStore.this.holds(shard);
    }

    @Override
    public void check() {
      RedisSegmentStore.this.check();
    }

    @Override
    public SegmentStore unacknowledged() {
      return this;
    }

    @Override
    public void sync() {
      RedisSegmentStore.this.sync();
    }
  }

  @Override
  public void close() {
    redis.close();
  }
}
