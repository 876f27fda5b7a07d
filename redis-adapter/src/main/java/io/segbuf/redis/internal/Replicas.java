package io.segbuf.redis.internal;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.segbuf.AddResult;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.SegmentReplica;
import io.segbuf.QueueChanges;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * This process's replica of the trace logs it works on: one {@link SegmentReplica} holding their assembly,
 * brought up to date by replaying what other processes (or this one, before a trace was dropped) appended.
 *
 * <p>A trace is worked on by one thread at a time ({@link #acquire}); locks are taken in {@link TraceRef} order.
 * Traces not in use are dropped, least recently used first, while the replica holds more than {@code maxBytes}
 * of spans. A replica is trusted only while the log cannot have expired since this process last set its expiry
 * (half of that expiry, to be safe): after that the log may have started again, and the replica is rebuilt.
 * Thread-safe.
 */
public final class Replicas {
  /** Bytes counted per span held, beyond its payload: its node and bookkeeping. */
  private static final long NODE_BYTES = 96;

  private final SegmentReplica local;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final KeyLayout keys;
  private final FrameCodec frames;
  private final Duration timeout;
  private final long maxBytes;
  /** The shortest expiry any process gives a log: another process may shorten a log's life to it any time. */
  private final Duration shortestExpiry;
  /** Guarded by itself; least recently used first. */
  private final LinkedHashMap<TraceRef, Replica> replicas = new LinkedHashMap<>(64, 0.75f, true);
  private long heldBytes;

  public Replicas(SegmentReplica local, RedisClusterAsyncCommands<byte[], byte[]> async, KeyLayout keys,
      FrameCodec frames, Duration timeout, long maxBytes, Duration shortestExpiry) {
    this.local = local;
    this.async = async;
    this.keys = keys;
    this.frames = frames;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
    this.shortestExpiry = shortestExpiry;
  }

  /** One trace's replica: how much of its log it has applied, and which frames its buffered spans are in. */
  public static final class Replica {
    public final TraceRef trace;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by the replicas' lock. */
    private int pins;
    private long counted;
    /** The rest is guarded by {@link #lock}. */
    private long applied;
    /** Until when the log cannot have expired, by what this process last set (System.nanoTime). */
    private long trustedUntil = System.nanoTime();
    private long held;
    /** Frames that hold buffered spans: how many, and when this process last set their expiry. */
    private final Map<Long, Frame> liveFrames = new HashMap<>();
    private final IdentityHashMap<Span, Long> frameOf = new IdentityHashMap<>();
    /** Frames whose spans were all flushed, to delete once the trace buffers nothing. */
    private final List<Long> emptied = new ArrayList<>();

    Replica(TraceRef trace) {
      this.trace = trace;
    }

    /** The length of the trace log this replica has applied. */
    public long applied() {
      return applied;
    }
  }

  /** Takes a trace's replica for the calling thread; {@link #release} it after use. */
  public Replica acquire(TraceRef trace) {
    Replica r;
    synchronized (replicas) {
      r = replicas.computeIfAbsent(trace, Replica::new);
      r.pins++;
    }
    r.lock.lock();
    if (System.nanoTime() - r.trustedUntil > 0) {
      reset(r);
    }
    return r;
  }

  public void release(Replica r) {
    long held = r.held;
    r.lock.unlock();
    List<TraceRef> dropped = new ArrayList<>();
    synchronized (replicas) {
      r.pins--;
      heldBytes += held - r.counted;
      r.counted = held;
      Iterator<Replica> it = replicas.values().iterator();
      while (heldBytes > maxBytes && it.hasNext()) {
        Replica eldest = it.next();
        if (eldest.pins == 0) {
          it.remove();
          heldBytes -= eldest.counted;
          dropped.add(eldest.trace);
        }
      }
      for (TraceRef t : dropped) {
        local.forget(t.projectId(), t.traceId()); // under the map's lock: the trace cannot be acquired meanwhile
      }
    }
  }

  /** Forgets what the replica holds: it is rebuilt from the log when next brought up to date. */
  public void reset(Replica r) {
    local.forget(r.trace.projectId(), r.trace.traceId());
    r.applied = 0;
    r.held = 0;
    r.liveFrames.clear();
    r.frameOf.clear();
    r.emptied.clear();
  }

  /**
   * Applies the log up to {@code upTo}, where this thread's own record starts. A log shorter than what the
   * replica applied expired and started again: the replica starts again too.
   */
  public void catchUp(Replica r, long upTo) {
    if (r.applied > upTo) {
      reset(r);
    }
    if (r.applied == upTo) {
      return;
    }
    byte[] gap = Futures.await(async.getrange(keys.log(r.trace), r.applied, upTo - 1), timeout, "trace log");
    if (gap.length != upTo - r.applied) {
      reset(r);
      throw new SegbufException("trace log of " + r.trace + " holds " + (r.applied + gap.length)
          + " bytes where " + upTo + " were appended: it expired meanwhile");
    }
    replay(r, gap);
  }

  /** Applies the whole log as Redis holds it now. */
  public void catchUpToEnd(Replica r) {
    byte[] log = keys.log(r.trace);
    CompletionStage<Long> length = async.strlen(log);
    CompletionStage<byte[]> rest = async.getrange(log, r.applied, -1);
    if (Futures.await(length, timeout, "trace log") < r.applied) {
      reset(r);
      rest = async.getrange(log, 0, -1);
    }
    replay(r, Futures.await(rest, timeout, "trace log"));
  }

  /** Marks this thread's own record, which it applied itself, as applied: the log is {@code end} bytes now. */
  public void applied(Replica r, long end) {
    r.applied = end;
  }

  /**
   * This process just set the log's expiry to {@code ttl}: the replica is trusted for half of it, and no longer
   * than half the shortest expiry, which another process may set right after.
   */
  public void expiresIn(Replica r, Duration ttl) {
    Duration trusted = ttl.compareTo(shortestExpiry) < 0 ? ttl : shortestExpiry;
    r.trustedUntil = System.nanoTime() + trusted.toNanos() / 2;
  }

  /** A frame this process wrote whose spans were all copies: deleted once the trace buffers nothing. */
  public void discarded(Replica r, long frameId) {
    r.emptied.add(frameId);
  }

  /**
   * The frames holding buffered spans whose expiry this process has not set for half of {@code ttl}: the caller
   * sets it now. A frame lives while the spans it holds do, however long their segment keeps growing.
   */
  public List<Long> framesToKeep(Replica r, Duration ttl) {
    long now = System.nanoTime();
    List<Long> due = new ArrayList<>();
    for (Map.Entry<Long, Frame> e : r.liveFrames.entrySet()) {
      if (now - e.getValue().keptUntil > 0) {
        e.getValue().keptUntil = now + ttl.toNanos() / 2;
        due.add(e.getKey());
      }
    }
    return due;
  }

  /** Counts the spans a frame holds in the replica (the ones that were not duplicates). */
  public void stored(Replica r, long frameId, List<Span> spans, AddResult result, Duration ttl) {
    int live = 0;
    for (int i = 0; i < spans.size(); i++) {
      if (!result.isDuplicate(i)) {
        Span s = spans.get(i);
        r.frameOf.put(s, frameId);
        r.held += s.size() + NODE_BYTES;
        live++;
      }
    }
    if (live > 0) {
      // a frame this process wrote was just given ttl; one read from Redis is kept from the next write on
      long keptUntil = ttl.isZero() ? System.nanoTime() : System.nanoTime() + ttl.toNanos() / 2;
      r.liveFrames.computeIfAbsent(frameId, f -> new Frame(keptUntil)).live += live;
    }
  }

  /** Uncounts completed spans; frames that hold no buffered span any more are {@link #takeEmptied emptied}. */
  public void completed(Replica r, List<Span> spans) {
    for (Span s : spans) {
      Long frame = r.frameOf.remove(s);
      if (frame == null) {
        continue;
      }
      r.held -= s.size();
      Frame f = r.liveFrames.get(frame);
      if (f != null && --f.live == 0) {
        r.liveFrames.remove(frame);
        r.emptied.add(frame);
      }
    }
  }

  /**
   * The frames to delete now: once the trace buffers nothing, the frames whose spans were all flushed. Deleting
   * them only then keeps the log replayable: a replay that finds a frame gone knows that every span the log
   * named before it was flushed ({@link #added}), so its seals and completions replay as they happened.
   */
  public List<Long> takeEmptied(Replica r) {
    if (r.emptied.isEmpty() || local.buffers(r.trace.projectId(), r.trace.traceId())) {
      return List.of();
    }
    List<Long> taken = new ArrayList<>(r.emptied);
    r.emptied.clear();
    return taken;
  }

  private void replay(Replica r, byte[] bytes) {
    try {
      List<TraceLog.Record> records = TraceLog.parse(bytes);
      Map<Long, CompletionStage<byte[]>> stored = new HashMap<>();
      for (TraceLog.Record record : records) {
        if (record instanceof TraceLog.Added a) {
          stored.put(a.frameId(), async.get(keys.frame(r.trace, a.frameId())));
        }
      }
      for (TraceLog.Record record : records) {
        if (record instanceof TraceLog.Added a) {
          CompletionStage<byte[]> frame = stored.get(a.frameId());
          added(r, a, frame == null ? null : Futures.await(frame, timeout, "frame"));
        } else if (record instanceof TraceLog.Sealed s) {
          local.seal(r.trace.segment(s.segmentId()), Instant.ofEpochMilli(s.nowMillis()), QueueChanges.NONE);
        } else if (record instanceof TraceLog.Completed c) {
          completed(r, local.complete(r.trace.segment(c.segmentId()), c.generation(), c.chunked(),
              QueueChanges.NONE));
        }
      }
      r.applied += bytes.length;
    } catch (RuntimeException e) {
      reset(r);
      throw e;
    }
  }

  /**
   * Replays added spans: from their frame, or by their fields alone when the frame is gone. A frame is deleted
   * only when its trace buffered nothing, so the spans of a missing frame, and every span before them, were
   * flushed: a seal then found no span of theirs open, and the completion that follows sets the generation.
   */
  private void added(Replica r, TraceLog.Added a, byte @Nullable [] frame) {
    TraceRef t = r.trace;
    if (frame == null) {
      local.addFlushed(a.shard(), t.projectId(), t.traceId(), a.spans(), a.policy(), QueueChanges.NONE);
      r.held += NODE_BYTES * a.spans().size();
      return;
    }
    List<Span> spans = frames.decode(frame);
    if (spans.size() != a.spans().size()) {
      throw new SegbufException("frame " + Long.toHexString(a.frameId()) + " of trace " + t + " holds "
          + spans.size() + " spans where its log record names " + a.spans().size());
    }
    for (int i = 0; i < spans.size(); i++) {
      Span s = spans.get(i);
      if (s.spanId() != a.spans().get(i).spanId() || !TraceRef.of(s).equals(t)) {
        throw new SegbufException("frame " + Long.toHexString(a.frameId()) + " of trace " + t
            + " does not hold the spans its log record names");
      }
    }
    AddResult result = local.add(a.shard(), spans, a.policy(), Instant.ofEpochMilli(a.nowMillis()),
        QueueChanges.NONE);
    stored(r, a.frameId(), spans, result, Duration.ZERO);
  }

  /** A frame that holds buffered spans. */
  private static final class Frame {
    int live;
    long keptUntil;

    Frame(long keptUntil) {
      this.keptUntil = keptUntil;
    }
  }
}
