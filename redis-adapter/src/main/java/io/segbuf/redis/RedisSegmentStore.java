package io.segbuf.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.segbuf.AddResult;
import io.segbuf.DueSegment;
import io.segbuf.FlushPolicy;
import io.segbuf.FlushReason;
import io.segbuf.SealedSegment;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.SegmentStore;
import io.segbuf.Span;
import io.segbuf.StoreUsage;
import io.segbuf.redis.internal.Blocks;
import io.segbuf.redis.internal.Futures;
import io.segbuf.redis.internal.KeyLayout;
import io.segbuf.redis.internal.RedisAccess;
import io.segbuf.redis.internal.Scripts;
import io.segbuf.redis.internal.SpanCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SegmentStore} on Redis or Redis Cluster, shared by any number of processes (one writer and one flusher
 * per shard at a time, as the SPI says). Assembly runs in server-side Lua scripts, one call per trace of a batch,
 * pipelined; all keys of a trace share one hash slot ({@code {project:trace}}); each shard's due queue is a sorted
 * set in a slot of its own, updated by the client from what the scripts return.
 *
 * <p>Crash safety: before a batch's scripts run, each trace gets a guard entry in the shard's queue (on a cluster
 * the store awaits it first; standalone, one connection keeps the order); it is removed
 * in the same pipeline that writes the segments' queue entries. A crash in between leaves the guard, and {@link
 * #due} repairs the trace's queue entries from its state when the guard comes due. Redelivered spans (not
 * acknowledged after a crash) are duplicates and re-report their segments too. A queue entry is removed only when a
 * script found the segment empty.
 *
 * <p>Thread-safe. Byte arrays of added spans are only read; spans returned by {@link #read} are new.
 */
public final class RedisSegmentStore implements SegmentStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSegmentStore.class);
  private static final FlushReason[] REASONS = FlushReason.values();
  private static final double MAX_EXACT_MILLIS = (double) (1L << 49);

  private final RedisStoreOptions options;
  private final RedisAccess redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final Scripts scripts;
  private final KeyLayout keys;
  private final SpanCodec codec;
  private final Duration timeout;
  private final byte[] ttlSeconds;
  private final byte[] retentionSeconds;
  private final Set<Integer> registeredShards = ConcurrentHashMap.newKeySet();
  /** The shard whose queue listed a segment last, to drop its entry when the segment turns out empty. */
  private final Map<SegmentKey, Integer> listedIn = new ConcurrentHashMap<>();
  private final AtomicLong expiredUnflushed = new AtomicLong();
  private final AtomicLong repairedTraces = new AtomicLong();

  private RedisSegmentStore(RedisStoreOptions options) {
    this.options = options;
    this.redis = new RedisAccess(options.uris(), options.cluster(), options.commandTimeout());
    this.async = redis.async();
    try {
      this.scripts = new Scripts(redis);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    this.keys = new KeyLayout(options.keyPrefix());
    this.codec = new SpanCodec(options.compression(), options.compressionLevel(), options.compressionMinBytes(),
        options.maxUncompressedSpanBytes());
    this.timeout = options.commandTimeout();
    this.ttlSeconds = ascii(Math.max(1, options.keyTtl().toSeconds()));
    this.retentionSeconds = ascii(Math.max(1, options.flushedTraceRetention().toSeconds()));
  }

  /** Connects and loads the scripts; fails with a {@link SegbufException} when Redis cannot be reached. */
  public static RedisSegmentStore connect(RedisStoreOptions options) {
    try {
      return new RedisSegmentStore(options);
    } catch (SegbufException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SegbufException("cannot connect to Redis at " + options + ": " + e, e);
    }
  }

  public RedisStoreOptions options() {
    return options;
  }

  @Override
  public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    BitSet duplicates = new BitSet();
    if (spans.isEmpty()) {
      return new AddResult(duplicates);
    }
    long nowMillis = now.toEpochMilli();
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < spans.size(); i++) {
      Span s = spans.get(i);
      groups.computeIfAbsent(keys.traceBase(s.projectId(), s.traceIdHigh(), s.traceIdLow()),
          k -> new ArrayList<>()).add(i);
    }
    // 1. Guards first: a crash after the scripts and before the queue update leaves them to repair the trace.
    List<String> guards = new ArrayList<>(groups.size());
    QueueUpdates guarding = new QueueUpdates();
    long guardScore = (long) scoreOf(nowMillis + policy.rootTimeout().toMillis(), FlushReason.IDLE_TIMEOUT);
    for (List<Integer> group : groups.values()) {
      Span s = spans.get(group.get(0));
      String guard = KeyLayout.guard(s.projectId(), s.traceIdHigh(), s.traceIdLow());
      guards.add(guard);
      guarding.guard(shard, guard, guardScore);
    }
    List<CompletionStage<?>> inFlight = new ArrayList<>();
    List<CompletionStage<?>> guardWrites = new ArrayList<>();
    guarding.send(guardWrites);
    inFlight.addAll(guardWrites);
    if (redis.isCluster()) {
      // the queue's node is not the traces' nodes: only an acknowledged guard is sure to precede the scripts
      awaitAll(inFlight, "add guard");
    }

    // 2. One script call per trace, all sent before any reply is awaited (bounded by pipelineSize).
    byte[][] common = {
      null, ascii(nowMillis), ascii(shard), ascii(policy.timeout().toMillis()),
      ascii(policy.rootTimeout().toMillis()),
      ascii(policy.maxLifetime() == null ? -1 : policy.maxLifetime().toMillis()), ascii(policy.maxSegmentBytes()),
      ttlSeconds
    };
    List<List<Integer>> order = new ArrayList<>(groups.size());
    List<CompletionStage<List<Object>>> replies = new ArrayList<>(groups.size());
    for (Map.Entry<String, List<Integer>> e : groups.entrySet()) {
      String base = e.getKey();
      Blocks blocks = Blocks.of(spans, e.getValue());
      List<Integer> group = new ArrayList<>(e.getValue().size());
      byte[][] args = new byte[common.length + 1 + 3 * e.getValue().size()][];
      System.arraycopy(common, 0, args, 0, common.length);
      args[0] = KeyLayout.bytes(base);
      StringBuilder list = new StringBuilder(blocks.exact ? "F" : "S");
      int a = common.length + 1;
      int p = a + 2 * e.getValue().size();
      for (List<Integer> block : blocks.blocks) {
        long bytes = 0;
        for (int index : block) {
          Span s = spans.get(index);
          args[a++] = SpanCodec.id(s);
          args[a++] = SpanCodec.header(s);
          args[p++] = codec.encode(s);
          group.add(index);
          bytes += s.size();
        }
        list.append(' ').append(block.size()).append(' ').append(bytes);
      }
      args[common.length] = KeyLayout.bytes(list.toString());
      byte[][] traceKeys = {KeyLayout.nodes(base), KeyLayout.metas(base)};
      order.add(group);
      CompletionStage<List<Object>> reply = scripts.call(Scripts.Name.ADD, traceKeys, args);
      replies.add(reply);
      inFlight.add(reply);
      if (inFlight.size() >= options.pipelineSize()) {
        settleAll(inFlight);
      }
    }
    settleAll(inFlight);

    // 3. Queue entries and usage of every trace whose script ran, batched per shard, even when others failed
    // (Redis at maxmemory refuses some): their counts would be lost otherwise. The guards go only when all ran.
    QueueUpdates updates = new QueueUpdates();
    RuntimeException failure = null;
    for (CompletionStage<?> write : guardWrites) {
      failure = failureOf(write, failure);
    }
    for (int g = 0; g < replies.size(); g++) {
      RuntimeException failed = failureOf(replies.get(g), null);
      if (failed != null) {
        failure = failure == null ? failed : addSuppressed(failure, failed);
        continue;
      }
      List<Object> reply = Futures.await(replies.get(g), timeout, "add");
      List<Integer> group = order.get(g);
      for (Object dup : list(reply.get(0))) {
        duplicates.set(group.get((int) (long) (Long) dup));
      }
      Span first = spans.get(group.get(0));
      List<Object> records = list(reply.get(1));
      for (int r = 0; r < records.size(); r += 5) {
        String segment = string(records.get(r));
        String member = KeyLayout.member(first.projectId(), first.traceIdHigh(), first.traceIdLow(), segment);
        updates.schedule((int) num(records.get(r + 1)), member, num(records.get(r + 2)), num(records.get(r + 3)),
            num(records.get(r + 4)));
      }
    }
    if (failure == null) {
      for (String guard : guards) {
        updates.remove(shard, guard);
      }
    }
    updates.send(inFlight);
    awaitAll(inFlight, "add queue update");
    if (failure != null) {
      throw failure;
    }
    return new AddResult(duplicates);
  }

  @Override
  public List<DueSegment> due(int shard, Instant now, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    for (int attempt = 0; ; attempt++) {
      List<ScoredValue<byte[]>> entries = Futures.await(
          async.zrangebyscoreWithScores(keys.queue(shard), Range.create(Double.NEGATIVE_INFINITY, maxScore(now)),
              Limit.create(0, limit)), timeout, "due");
      List<DueSegment> due = new ArrayList<>(entries.size());
      List<String> guards = new ArrayList<>();
      for (ScoredValue<byte[]> e : entries) {
        String member = new String(e.getValue(), StandardCharsets.US_ASCII);
        if (KeyLayout.isGuard(member)) {
          guards.add(member);
          continue;
        }
        SegmentKey key = KeyLayout.parseMember(member);
        listedIn.put(key, shard);
        due.add(new DueSegment(key, REASONS[(int) Math.floorMod((long) e.getScore(), 8L)]));
      }
      if (guards.isEmpty() || attempt > 0) {
        return due;
      }
      repair(shard, guards);
    }
  }

  /** Rewrites the queue entries of traces whose batch was interrupted (a crash between script and queue). */
  private void repair(int shard, List<String> guards) {
    QueueUpdates updates = new QueueUpdates();
    for (String guard : guards) {
      String base = keys.guardBase(guard);
      List<Object> reply = Futures.await(scripts.call(Scripts.Name.REPAIR,
          new byte[][] {KeyLayout.nodes(base), KeyLayout.metas(base)}, KeyLayout.bytes(base)), timeout, "repair");
      String traceMember = guard.substring(2);
      for (int r = 0; r < reply.size(); r += 5) {
        updates.schedule((int) num(reply.get(r + 1)), traceMember + ":" + string(reply.get(r)), num(reply.get(r + 2)),
            num(reply.get(r + 3)), num(reply.get(r + 4)));
      }
      updates.remove(shard, guard);
      repairedTraces.incrementAndGet();
      LOG.warn("repaired the queue entries of trace {} after an interrupted batch ({} segments)", traceMember,
          reply.size() / 5);
    }
    List<CompletionStage<?>> inFlight = new ArrayList<>();
    updates.send(inFlight);
    awaitAll(inFlight, "repair");
  }

  @Override
  public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    String base = keys.traceBase(key);
    List<Object> reply = Futures.await(scripts.call(Scripts.Name.SEAL,
        new byte[][] {KeyLayout.nodes(base), KeyLayout.metas(base)},
        KeyLayout.bytes(base), KeyLayout.bytes(key.segmentIdHex()), ttlSeconds), timeout, "seal");
    long generation = num(reply.get(0));
    if (generation >= 0) {
      return new SealedSegment(key, (int) num(reply.get(4)), (int) generation, (int) num(reply.get(1)),
          num(reply.get(2)), num(reply.get(3)) == 1);
    }
    Integer listed = listedIn.remove(key);
    Integer shard = generation == -2 ? Integer.valueOf((int) num(reply.get(1))) : listed;
    if (shard != null) {
      long removed = num(Futures.await(scripts.call(Scripts.Name.QUEUE, queueKeys(shard), ascii(0), ascii(1),
          KeyLayout.bytes(KeyLayout.member(key))), timeout, "seal").get(0));
      if (generation == -1 && removed > 0) {
        expiredUnflushed.incrementAndGet();
        LOG.warn("segment {} was queued but its keys are gone: expired after keyTtl={} before it was flushed",
            key, options.keyTtl());
      }
    }
    return null;
  }

  @Override
  public List<Span> read(SealedSegment segment) {
    String base = keys.traceBase(segment.key());
    byte[] list = KeyLayout.sealed(base, segment.key().segmentIdHex(), segment.generation());
    List<Span> spans = new ArrayList<>(segment.spans());
    int page = 10_000;
    for (long start = 0; ; start += page) {
      List<byte[]> stored = Futures.await(async.lrange(list, start, start + page - 1), timeout, "read");
      for (byte[] s : stored) {
        spans.add(codec.decode(s));
      }
      if (stored.size() < page) {
        break;
      }
    }
    if (spans.size() != segment.spans()) {
      throw new SegbufException("segment " + segment.key() + " generation " + segment.generation() + " holds "
          + spans.size() + " spans but was sealed with " + segment.spans() + ": not sealed, or completed already");
    }
    return spans;
  }

  @Override
  public void complete(SealedSegment segment, boolean chunked) {
    SegmentKey key = segment.key();
    String base = keys.traceBase(key);
    List<Object> reply = Futures.await(scripts.call(Scripts.Name.COMPLETE,
        new byte[][] {KeyLayout.nodes(base), KeyLayout.metas(base)},
        KeyLayout.bytes(base), KeyLayout.bytes(key.segmentIdHex()), ascii(segment.generation()),
        ascii(chunked ? 1 : 0), retentionSeconds), timeout, "complete");
    int shard = (int) num(reply.get(0));
    if (shard < 0) {
      return; // completed already
    }
    QueueUpdates updates = new QueueUpdates();
    updates.schedule(shard, KeyLayout.member(key), num(reply.get(1)), num(reply.get(2)), num(reply.get(3)));
    List<CompletionStage<?>> inFlight = new ArrayList<>();
    updates.send(inFlight);
    awaitAll(inFlight, "complete");
    listedIn.remove(key);
  }

  @Override
  public StoreUsage usage() {
    long segments = 0;
    long spans = 0;
    long bytes = 0;
    for (int shard : knownShards()) {
      Map<byte[], byte[]> use = Futures.await(async.hgetall(keys.usage(shard)), timeout, "usage");
      for (Map.Entry<byte[], byte[]> e : use.entrySet()) {
        long v = Long.parseLong(new String(e.getValue(), StandardCharsets.US_ASCII));
        switch (new String(e.getKey(), StandardCharsets.US_ASCII)) {
          case "segments" -> segments += v;
          case "spans" -> spans += v;
          case "bytes" -> bytes += v;
          default -> { }
        }
      }
    }
    long used = 0;
    long max = 0;
    for (String info : redis.infoOfMasters("memory")) {
      used += infoField(info, "used_memory");
      max += infoField(info, "maxmemory");
    }
    return new StoreUsage(segments, spans, bytes, used, max);
  }

  @Override
  public Set<Integer> shards() {
    Set<Integer> shards = new HashSet<>();
    for (int shard : knownShards()) {
      Long n = Futures.await(async.zcard(keys.queue(shard)), timeout, "shards");
      if (n != null && n > 0) {
        shards.add(shard);
      }
    }
    return shards;
  }

  /** Queued segments whose keys had expired (keyTtl) before they were flushed: their spans are lost. */
  public long expiredUnflushedSegments() {
    return expiredUnflushed.get();
  }

  /**
   * Segments of {@code shard} that have been due for more than half of {@code keyTtl} at {@code now}: their keys
   * are at risk of expiring before they are flushed (the TTL is refreshed on each write, in wall-clock time, so
   * this is an early warning for a flusher that lags, not an exact count). One ZCOUNT.
   */
  public long atRiskSegments(int shard, Instant now) {
    long limit = now.toEpochMilli() - options.keyTtl().toMillis() / 2;
    Long n = Futures.await(async.zcount(keys.queue(shard), Range.create(Double.NEGATIVE_INFINITY, limit * 8.0 + 7)),
        timeout, "atRiskSegments");
    return n == null ? 0 : n;
  }

  /** Traces whose queue entries were repaired after an interrupted batch. */
  public long repairedTraces() {
    return repairedTraces.get();
  }

  @Override
  public void close() {
    redis.close();
  }

  private Set<Integer> knownShards() {
    Set<byte[]> members = Futures.await(async.smembers(keys.shards()), timeout, "shards");
    Set<Integer> shards = new HashSet<>();
    for (byte[] m : members) {
      shards.add(Integer.parseInt(new String(m, StandardCharsets.US_ASCII)));
    }
    return shards;
  }

  /** Records the shard in the shard set once per process; only once Redis took it (it may refuse at maxmemory). */
  private void registerShard(int shard, List<CompletionStage<?>> inFlight) {
    if (!registeredShards.contains(shard)) {
      inFlight.add(async.sadd(keys.shards(), ascii(shard)).thenRun(() -> registeredShards.add(shard)));
    }
  }


  /** The failure of a settled call, added to {@code earlier} when there is one; null when it succeeded. */
  private @Nullable RuntimeException failureOf(CompletionStage<?> call, @Nullable RuntimeException earlier) {
    try {
      Futures.await(call, timeout, "add");
      return earlier;
    } catch (RuntimeException e) {
      return earlier == null ? e : addSuppressed(earlier, e);
    }
  }

  private static RuntimeException addSuppressed(RuntimeException first, RuntimeException next) {
    first.addSuppressed(next);
    return first;
  }

  /** Waits until every call in flight has answered, failed or not; the caller reads the answers it kept. */
  private void settleAll(List<CompletionStage<?>> inFlight) {
    try {
      for (CompletionStage<?> f : inFlight) {
        try {
          Futures.await(f, timeout, "add");
        } catch (RuntimeException e) {
          // read again from the reply it belongs to
        }
      }
    } finally {
      inFlight.clear();
    }
  }

  private void awaitAll(List<CompletionStage<?>> inFlight, String what) {
    try {
      for (CompletionStage<?> f : inFlight) {
        Futures.await(f, timeout, what);
      }
    } finally {
      inFlight.clear();
    }
  }

  private static double scoreOf(long deadlineMillis, FlushReason reason) {
    return deadlineMillis * 8.0 + reason.ordinal();
  }

  private static double maxScore(Instant now) {
    double millis = (double) now.getEpochSecond() * 1000 + now.getNano() / 1_000_000;
    return millis >= MAX_EXACT_MILLIS ? Double.POSITIVE_INFINITY : millis * 8 + 7;
  }

  private static long infoField(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim());
      }
    }
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static long num(Object o) {
    if (o instanceof Long) {
      return (Long) o;
    }
    return Long.parseLong(string(o));
  }

  private static String string(Object o) {
    return o instanceof byte[] ? new String((byte[]) o, StandardCharsets.US_ASCII) : String.valueOf(o);
  }

  private static byte[] ascii(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  /** Queue and usage changes, collected per shard and sent as one ZADD, one ZREM and HINCRBYs per shard. */
  /** The keys of a shard's queue script: its queue, usage counters and segment sizes (one hash slot). */
  private byte[][] queueKeys(int shard) {
    return new byte[][] {keys.queue(shard), keys.usage(shard), keys.sizes(shard)};
  }

  /**
   * Queue changes, collected per shard and sent as one queue script per shard. Each segment entry carries the
   * spans and bytes the segment holds; the script moves the usage counters by the change from what it recorded.
   */
  private final class QueueUpdates {
    /** Per shard and member, the last entry: score, spans, bytes (spans -1 for a guard). */
    private final Map<Integer, Map<String, long[]>> entries = new HashMap<>();
    private final Map<Integer, Set<String>> removes = new HashMap<>();

    /** Queues a segment that holds {@code spans} and {@code bytes}, or removes it when {@code score} is negative. */
    void schedule(int shard, String member, long score, long spans, long bytes) {
      if (score < 0) {
        remove(shard, member);
      } else {
        entry(shard, member, score, spans, bytes);
      }
    }

    /** Queues a batch's guard for a trace: an entry without a size. */
    void guard(int shard, String member, long score) {
      entry(shard, member, score, -1, 0);
    }

    private void entry(int shard, String member, long score, long spans, long bytes) {
      Set<String> removing = removes.get(shard);
      if (removing != null) {
        removing.remove(member);
      }
      entries.computeIfAbsent(shard, s -> new LinkedHashMap<>()).put(member, new long[] {score, spans, bytes});
    }

    void remove(int shard, String member) {
      Map<String, long[]> entering = entries.get(shard);
      if (entering != null) {
        entering.remove(member);
      }
      removes.computeIfAbsent(shard, s -> new LinkedHashSet<>()).add(member);
    }

    /**
     * One queue script per shard: its entries, removals and counters applied at once, even with Redis at
     * maxmemory (a half-applied update would leave segments without a queue entry, or counters that drift).
     */
    void send(List<CompletionStage<?>> inFlight) {
      Set<Integer> shards = new HashSet<>(entries.keySet());
      shards.addAll(removes.keySet());
      for (int shard : shards) {
        Map<String, long[]> added = entries.getOrDefault(shard, Map.of());
        Set<String> removed = removes.getOrDefault(shard, Set.of());
        if (!added.isEmpty()) {
          registerShard(shard, inFlight);
        }
        List<byte[]> args = new ArrayList<>(2 + 4 * added.size() + removed.size());
        args.add(ascii(added.size()));
        added.forEach((member, e) -> {
          args.add(ascii(e[0]));
          args.add(KeyLayout.bytes(member));
          args.add(ascii(e[1]));
          args.add(ascii(e[2]));
        });
        args.add(ascii(removed.size()));
        removed.forEach(member -> args.add(KeyLayout.bytes(member)));
        inFlight.add(scripts.call(Scripts.Name.QUEUE, queueKeys(shard), args.toArray(new byte[0][])));
      }
    }
  }

}
