package io.segbuf.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
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
import io.segbuf.SegmentReplica;
import io.segbuf.QueueChanges;
import io.segbuf.redis.internal.FrameCodec;
import io.segbuf.redis.internal.Futures;
import io.segbuf.redis.internal.KeyLayout;
import io.segbuf.redis.internal.RedisAccess;
import io.segbuf.redis.internal.Replicas;
import io.segbuf.redis.internal.Scripts;
import io.segbuf.redis.internal.TraceLog;
import io.segbuf.redis.internal.TraceRef;
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
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SegmentStore} on Redis or Redis Cluster, shared by any number of processes. Each trace has a log in
 * Redis: what happened to it (spans added, segments sealed, generations completed), appended with plain {@code
 * APPEND}s, and the span payloads of each batch in one frame value beside it. Assembly runs in the process: a
 * replica ({@link Replicas}) replays the log, so the log's order decides every outcome and any process can take
 * over a trace at any point. All keys of a trace share one hash slot ({@code {project:trace}}); each shard's due
 * queue is a sorted set in a slot of its own, written by the process from what its replica holds.
 *
 * <p>Crash safety: a batch writes its frames and a guard entry per trace in the shard's queue first, and appends
 * to the logs only once Redis took them; the guard is removed in the same pipeline that writes the segments' queue
 * entries. A crash in between leaves the guard, and {@link #due} repairs the trace's queue entries from its log
 * when the guard comes due. A frame whose log record was never appended is garbage that expires; redelivered spans
 * (not acknowledged after a crash) are duplicates and re-report their segments too.
 *
 * <p>Thread-safe. Byte arrays of added spans are only read, and are kept while their segment is buffered.
 */
public final class RedisSegmentStore implements SegmentStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSegmentStore.class);
  private static final FlushReason[] REASONS = FlushReason.values();
  private static final double MAX_EXACT_MILLIS = (double) (1L << 49);
  /** How long a guard whose trace could not be repaired waits before the next attempt. */
  private static final Duration REPAIR_RETRY = Duration.ofMinutes(1);

  private final RedisStoreOptions options;
  private final RedisAccess redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final Scripts scripts;
  private final KeyLayout keys;
  private final FrameCodec frames;
  private final Duration timeout;
  private final long ttlMillis;
  /**
   * A frame's expiry: half as long again as its log's, since it is set again at most every half keyTtl (when its
   * trace is written), so that a frame never expires before the log that names it.
   */
  private final long frameTtlMillis;
  private final SegmentReplica local = SegmentReplica.create();
  private final Replicas replicas;
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
    this.frames = new FrameCodec(options.compression(), options.compressionLevel(), options.compressionMinBytes(),
        options.maxUncompressedSpanBytes());
    this.timeout = options.commandTimeout();
    this.ttlMillis = options.keyTtl().toMillis();
    this.frameTtlMillis = ttlMillis + ttlMillis / 2;
    Duration shortestExpiry = options.keyTtl().compareTo(options.flushedTraceRetention()) < 0
        ? options.keyTtl() : options.flushedTraceRetention();
    this.replicas = new Replicas(local, async, keys, frames, timeout, options.replicaBytes(), shortestExpiry);
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
    Map<TraceRef, List<Integer>> groups = new TreeMap<>(); // in lock order
    for (int i = 0; i < spans.size(); i++) {
      groups.computeIfAbsent(TraceRef.of(spans.get(i)), t -> new ArrayList<>()).add(i);
    }
    List<Replicas.Replica> held = new ArrayList<>(groups.size());
    try {
      List<TraceBatch> batches = new ArrayList<>(groups.size());
      List<TraceRef> redelivered = new ArrayList<>();
      for (Map.Entry<TraceRef, List<Integer>> e : groups.entrySet()) {
        Replicas.Replica r = replicas.acquire(e.getKey());
        held.add(r);
        // Copies of spans the replica holds stay copies whatever the log holds beyond it (a span id is never
        // forgotten while the log lives): they are not written again, so redeliveries do not grow the log.
        List<Integer> fresh = new ArrayList<>(e.getValue().size());
        for (int i : e.getValue()) {
          if (local.holds(spans.get(i))) {
            duplicates.set(i);
          } else {
            fresh.add(i);
          }
        }
        if (fresh.size() < e.getValue().size()) {
          redelivered.add(e.getKey());
        }
        if (!fresh.isEmpty()) {
          batches.add(new TraceBatch(e.getKey(), r, fresh, spans));
        }
      }
      addLocked(shard, batches, redelivered, policy, now, duplicates);
    } finally {
      for (Replicas.Replica r : held) {
        replicas.release(r);
      }
    }
    return new AddResult(duplicates);
  }

  private void addLocked(int shard, List<TraceBatch> batches, List<TraceRef> redelivered, FlushPolicy policy,
      Instant now, BitSet duplicates) {
    long nowMillis = now.toEpochMilli();
    // 1. Guards and frames; the logs name the frames only once Redis took them (a frame the log names is never
    // missing but flushed), and a crash after the logs and before the queue update leaves a guard to repair it.
    QueueUpdates guarding = new QueueUpdates();
    long guardScore = (long) scoreOf(nowMillis + policy.rootTimeout().toMillis(), FlushReason.IDLE_TIMEOUT);
    List<CompletionStage<?>> inFlight = new ArrayList<>();
    for (TraceBatch b : batches) {
      guarding.guard(shard, KeyLayout.guard(b.trace), guardScore);
      b.frameId = ThreadLocalRandom.current().nextLong();
      b.frame = async.set(keys.frame(b.trace, b.frameId), frames.encode(b.spans), SetArgs.Builder.px(frameTtlMillis));
      inFlight.add(b.frame);
      if (inFlight.size() >= options.pipelineSize()) {
        settleAll(inFlight);
      }
    }
    List<CompletionStage<?>> guardWrites = new ArrayList<>();
    guarding.send(guardWrites);
    inFlight.addAll(guardWrites);
    settleAll(inFlight);
    RuntimeException failure = null;
    for (CompletionStage<?> write : guardWrites) {
      failure = failureOf(write, failure);
    }
    if (failure != null) {
      dropUnsentFrames(batches); // no log names them
      throw failure;
    }

    // 2. One APPEND per trace log, all sent before any reply is awaited (bounded by pipelineSize).
    for (TraceBatch b : batches) {
      RuntimeException failed = failureOf(b.frame, null);
      if (failed != null) {
        failure = failure == null ? failed : addSuppressed(failure, failed);
        continue;
      }
      byte[] log = keys.log(b.trace);
      b.record = TraceLog.added(b.frameId, shard, nowMillis, policy, b.spans);
      b.appended = async.append(log, b.record);
      b.expiry = async.pexpire(log, ttlMillis);
      inFlight.add(b.appended);
      inFlight.add(b.expiry);
      if (inFlight.size() >= options.pipelineSize()) {
        settleAll(inFlight);
      }
    }
    settleAll(inFlight);

    // 3. Each replica follows its log and applies the batch; the queue entries and usage of every trace whose
    // record was appended, batched per shard, even when others failed (Redis at maxmemory refuses some): their
    // counts would be lost otherwise. The guards go only when all were applied.
    QueueUpdates updates = new QueueUpdates();
    for (TraceBatch b : batches) {
      CompletionStage<Long> appended = b.appended;
      if (appended == null) {
        continue;
      }
      try {
        long end = named(b, appended);
        replicas.catchUp(b.replica, end - b.record.length);
        AddResult result = local.add(shard, b.spans, policy, now, updates);
        replicas.applied(b.replica, end);
        if (failureOf(b.expiry, null) == null) {
          replicas.expiresIn(b.replica, options.keyTtl());
        }
        replicas.stored(b.replica, b.frameId, b.spans, result, options.keyTtl());
        for (int i = 0; i < b.spans.size(); i++) {
          if (result.isDuplicate(i)) {
            duplicates.set(b.indexes.get(i));
          }
        }
        if (result.duplicateCount() > 0) {
          // a redelivery: the batch may have been stored before a crash that lost its queue update
          local.report(b.trace.projectId(), b.trace.traceId(), updates);
        }
        if (result.duplicateCount() == b.spans.size()) {
          replicas.discarded(b.replica, b.frameId); // an earlier record may name it too (an APPEND sent twice)
        }
        for (long frame : replicas.framesToKeep(b.replica, options.keyTtl())) {
          inFlight.add(async.pexpire(keys.frame(b.trace, frame), frameTtlMillis));
        }
        for (long frame : replicas.takeEmptied(b.replica)) {
          inFlight.add(async.del(keys.frame(b.trace, frame)));
        }
      } catch (RuntimeException e) {
        replicas.reset(b.replica);
        failure = failure == null ? e : addSuppressed(failure, e);
      }
    }
    for (TraceRef trace : redelivered) {
      // copies: their batch may have been stored before a crash that lost its queue update
      local.report(trace.projectId(), trace.traceId(), updates);
    }
    if (failure == null) {
      for (TraceBatch b : batches) {
        updates.remove(shard, KeyLayout.guard(b.trace));
      }
    }
    updates.send(inFlight);
    awaitAll(inFlight, "add queue update");
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Deletes the frames Redis took for a batch whose records were never sent (its guards failed), so that batches
   * refused at maxmemory and tried again do not fill memory with frames nothing names. Only then: a record that
   * was sent may have been appended even when its reply failed, and its frame must stay.
   */
  private void dropUnsentFrames(List<TraceBatch> batches) {
    List<CompletionStage<?>> inFlight = new ArrayList<>();
    for (TraceBatch b : batches) {
      if (failureOf(b.frame, null) == null) {
        inFlight.add(async.del(keys.frame(b.trace, b.frameId)));
      }
    }
    settleAll(inFlight);
  }

  /**
   * Waits for a batch's record to be appended; returns the log's length after it. A record Redis refused (at
   * maxmemory: its frame may have been the write that crossed the limit) is appended again by the allow-oom
   * script, so that a frame Redis took is named and a batch refused in part stores some traces whole.
   */
  private long named(TraceBatch b, CompletionStage<Long> appended) {
    long end;
    try {
      end = Futures.await(appended, timeout, "add");
    } catch (SegbufException refused) {
      if (!String.valueOf(refused.getMessage()).contains("OOM")) {
        throw refused;
      }
      end = num(Futures.await(appendRecord(keys.log(b.trace), b.record), timeout, "add").get(0));
    }
    return end;
  }

  /** One trace's spans of a batch, on their way to its log. */
  private static final class TraceBatch {
    final TraceRef trace;
    final List<Integer> indexes;
    final List<Span> spans;
    final Replicas.Replica replica;
    long frameId;
    CompletionStage<String> frame;
    byte[] record;
    @Nullable CompletionStage<Long> appended;
    CompletionStage<Boolean> expiry;

    @SuppressWarnings("NullAway.Init") // frame, record and expiry are set before use
    TraceBatch(TraceRef trace, Replicas.Replica replica, List<Integer> indexes, List<Span> all) {
      this.trace = trace;
      this.replica = replica;
      this.indexes = indexes;
      this.spans = new ArrayList<>(indexes.size());
      for (int i : indexes) {
        spans.add(all.get(i));
      }
    }
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
      repair(shard, guards, now);
    }
  }

  /** Rewrites the queue entries of traces whose batch was interrupted (a crash between log and queue). */
  private void repair(int shard, List<String> guards, Instant now) {
    Map<TraceRef, String> traces = new TreeMap<>(); // in lock order
    for (String guard : guards) {
      traces.put(KeyLayout.parseGuard(guard), guard);
    }
    List<Replicas.Replica> held = new ArrayList<>(traces.size());
    try {
      QueueUpdates updates = new QueueUpdates();
      List<CompletionStage<?>> inFlight = new ArrayList<>();
      for (Map.Entry<TraceRef, String> e : traces.entrySet()) {
        TraceRef trace = e.getKey();
        Replicas.Replica r = replicas.acquire(trace);
        held.add(r);
        try {
          replicas.catchUpToEnd(r);
        } catch (SegbufException failed) {
          // the guard stays, tried again a minute later; meanwhile the shard's other segments flush
          LOG.error("cannot repair the queue entries of trace {} after an interrupted batch: {}", trace,
              failed.getMessage());
          long retryAt = now.toEpochMilli() + Math.min(REPAIR_RETRY.toMillis(), Long.MAX_VALUE - now.toEpochMilli());
          updates.guard(shard, e.getValue(), (long) scoreOf(retryAt, FlushReason.IDLE_TIMEOUT));
          continue;
        }
        int[] segments = {0};
        local.report(trace.projectId(), trace.traceId(), (key, sh, deadline, reason, sp, by) -> {
          updates.changed(key, sh, deadline, reason, sp, by);
          segments[0]++;
        });
        updates.remove(shard, e.getValue());
        writeBack(r, new QueueUpdates(), inFlight);
        repairedTraces.incrementAndGet();
        LOG.warn("repaired the queue entries of trace {} after an interrupted batch ({} segments)", trace,
            segments[0]);
      }
      updates.send(inFlight);
      awaitAll(inFlight, "repair");
    } finally {
      for (Replicas.Replica r : held) {
        replicas.release(r);
      }
    }
  }

  @Override
  public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    TraceRef trace = TraceRef.of(key);
    Replicas.Replica r = replicas.acquire(trace);
    try {
      byte[] record = TraceLog.sealed(key.segmentId(), now.toEpochMilli());
      long end = num(Futures.await(appendRecord(keys.log(trace), record), timeout, "seal").get(0));
      SealedSegment sealed;
      try {
        replicas.catchUp(r, end - record.length);
        sealed = local.seal(key, now, QueueChanges.NONE);
        replicas.applied(r, end);
        replicas.expiresIn(r, options.keyTtl());
        List<CompletionStage<?>> keeping = new ArrayList<>();
        for (long frame : replicas.framesToKeep(r, options.keyTtl())) {
          keeping.add(async.pexpire(keys.frame(trace, frame), frameTtlMillis));
        }
        awaitAll(keeping, "seal");
      } catch (RuntimeException e) {
        replicas.reset(r);
        throw e;
      }
      if (sealed != null) {
        return sealed; // its queue entry keeps its deadline and size: open spans became sealed ones
      }
      Integer listed = listedIn.remove(key);
      boolean logWasGone = end == record.length;
      QueueUpdates updates = new QueueUpdates();
      if (listed != null) {
        updates.remove(listed, KeyLayout.member(key));
      }
      List<CompletionStage<?>> inFlight = new ArrayList<>();
      List<CompletionStage<List<Object>>> removals = updates.send(inFlight);
      awaitAll(inFlight, "seal");
      if (logWasGone && removed(removals) > 0) {
        expiredUnflushed.incrementAndGet();
        LOG.warn("segment {} was queued but its trace log is gone: expired after keyTtl={} before it was flushed",
            key, options.keyTtl());
      }
      return null;
    } finally {
      replicas.release(r);
    }
  }

  @Override
  public List<Span> read(SealedSegment segment) {
    Replicas.Replica r = replicas.acquire(TraceRef.of(segment.key()));
    try {
      try {
        return local.read(segment);
      } catch (SegbufException notHeld) {
        replicas.catchUpToEnd(r); // dropped from the replica, or sealed by another process
        return local.read(segment);
      }
    } finally {
      replicas.release(r);
    }
  }

  @Override
  public void complete(SealedSegment segment, boolean chunked) {
    SegmentKey key = segment.key();
    TraceRef trace = TraceRef.of(key);
    Replicas.Replica r = replicas.acquire(trace);
    try {
      byte[] record = TraceLog.completed(key.segmentId(), segment.generation(), chunked);
      byte[] log = keys.log(trace);
      QueueUpdates updates = new QueueUpdates();
      List<CompletionStage<?>> inFlight = new ArrayList<>();
      long start = r.applied();
      if (start == 0) { // the replica holds nothing of the trace: follow the log first
        long end = num(Futures.await(appendRecord(log, record), timeout, "complete").get(0));
        replicas.catchUp(r, end - record.length);
        replicas.completed(r, local.complete(key, segment.generation(), chunked, updates));
        replicas.applied(r, end);
        writeBack(r, updates, inFlight);
        awaitAll(inFlight, "complete");
      } else {
        // Applied first, as if the replica were up to date, so that the record, the queue update and the frame
        // deletes go in one round trip. When the log shows that another process appended meanwhile, the trace
        // is replayed in log order and its queue entries are written again.
        replicas.completed(r, local.complete(key, segment.generation(), chunked, updates));
        CompletionStage<List<Object>> appended = appendRecord(log, record);
        inFlight.add(appended);
        writeBack(r, updates, inFlight);
        awaitAll(inFlight, "complete");
        long end = num(Futures.await(appended, timeout, "complete").get(0));
        if (end - record.length == start) {
          replicas.applied(r, end);
        } else {
          replicas.reset(r);
          replicas.catchUp(r, end);
          QueueUpdates again = new QueueUpdates();
          local.report(trace.projectId(), trace.traceId(), again);
          local.report(key, again);
          writeBack(r, again, inFlight);
          awaitAll(inFlight, "complete");
        }
      }
      listedIn.remove(key);
    } catch (RuntimeException e) {
      replicas.reset(r);
      // the queue update may have gone out without the completion it followed from: a guard due at once makes
      // the next due() rebuild the trace and write its entries again
      QueueUpdates guard = new QueueUpdates();
      guard.guard(segment.shard(), KeyLayout.guard(trace), 0);
      List<CompletionStage<?>> inFlight = new ArrayList<>();
      guard.send(inFlight);
      try {
        awaitAll(inFlight, "complete guard");
      } catch (RuntimeException unguarded) {
        e.addSuppressed(unguarded);
      }
      throw e;
    } finally {
      replicas.release(r);
    }
  }

  /**
   * Sends what follows a change of a trace: queue updates, deletes of frames whose spans are all flushed, and the
   * log's expiry (keyTtl while the trace buffers spans, flushedTraceRetention once it holds none).
   */
  private void writeBack(Replicas.Replica r, QueueUpdates updates, List<CompletionStage<?>> inFlight) {
    TraceRef trace = r.trace;
    updates.send(inFlight);
    for (long frame : replicas.takeEmptied(r)) {
      inFlight.add(async.del(keys.frame(trace, frame)));
    }
    boolean buffers = local.buffers(trace.projectId(), trace.traceId());
    Duration expiry = buffers ? options.keyTtl() : options.flushedTraceRetention();
    inFlight.add(async.pexpire(keys.log(trace), expiry.toMillis()));
    replicas.expiresIn(r, expiry);
    for (long frame : replicas.framesToKeep(r, options.keyTtl())) {
      inFlight.add(async.pexpire(keys.frame(trace, frame), frameTtlMillis));
    }
  }

  /**
   * Appends a seal or completion record to a trace's log and refreshes its expiry, also when Redis is at
   * maxmemory (flushes free memory); the reply holds the log's length after it.
   */
  private CompletionStage<List<Object>> appendRecord(byte[] log, byte[] record) {
    return scripts.call(Scripts.Name.APPEND, new byte[][] {log}, record, ascii(ttlMillis));
  }

  private long removed(List<CompletionStage<List<Object>>> removals) {
    long removed = 0;
    for (CompletionStage<List<Object>> r : removals) {
      removed += num(Futures.await(r, timeout, "seal").get(0));
    }
    return removed;
  }

  /** True: every span is in Redis once {@link #add} returned, for any process that takes its shard over. */
  @Override
  public boolean durable() {
    return true;
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

  /** The keys of a shard's queue script: its queue, usage counters and segment sizes (one hash slot). */
  private byte[][] queueKeys(int shard) {
    return new byte[][] {keys.queue(shard), keys.usage(shard), keys.sizes(shard)};
  }

  /**
   * Queue changes, collected per shard and sent as one queue script per shard. Each segment entry carries the
   * spans and bytes the segment holds; the script moves the usage counters by the change from what it recorded.
   */
  private final class QueueUpdates implements QueueChanges {
    /** Per shard and member, the last entry: score, spans, bytes (spans -1 for a guard). */
    private final Map<Integer, Map<String, long[]>> entries = new HashMap<>();
    private final Map<Integer, Set<String>> removes = new HashMap<>();

    @Override
    public void changed(SegmentKey key, int shard, long deadlineMillis, FlushReason reason, long spans, long bytes) {
      String member = KeyLayout.member(key);
      if (spans == 0) {
        remove(shard, member);
      } else {
        entry(shard, member, (long) scoreOf(deadlineMillis, reason), spans, bytes);
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
    List<CompletionStage<List<Object>>> send(List<CompletionStage<?>> inFlight) {
      List<CompletionStage<List<Object>>> calls = new ArrayList<>();
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
        CompletionStage<List<Object>> call =
            scripts.call(Scripts.Name.QUEUE, queueKeys(shard), args.toArray(new byte[0][]));
        calls.add(call);
        inFlight.add(call);
      }
      return calls;
    }
  }

}
