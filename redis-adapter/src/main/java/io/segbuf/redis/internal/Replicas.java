package io.segbuf.redis.internal;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.segbuf.AddResult;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.internal.InMemorySegmentStore;
import io.segbuf.internal.InMemorySegmentStore.QueueChanges;
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
 * This process's replica of the trace logs it works on: one {@link InMemorySegmentStore} holding their assembly,
 * brought up to date by replaying what other processes (or this one, before a trace was dropped) appended.
 *
 * <p>A trace is worked on by one thread at a time ({@link #acquire}); locks are taken in {@link TraceRef} order.
 * Traces not in use are dropped, least recently used first, while the replica holds more than {@code maxBytes}
 * of spans; a replica not used for {@code staleAfter} is dropped on its next use, since its log may have expired
 * and started again. Thread-safe.
 */
public final class Replicas {
  /** Bytes counted per span held, beyond its payload: its node and bookkeeping. */
  private static final long NODE_BYTES = 96;

  private final InMemorySegmentStore local;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final KeyLayout keys;
  private final FrameCodec frames;
  private final Duration timeout;
  private final long maxBytes;
  private final long staleAfterNanos;
  /** Guarded by itself; least recently used first. */
  private final LinkedHashMap<TraceRef, Replica> replicas = new LinkedHashMap<>(64, 0.75f, true);
  private long heldBytes;

  public Replicas(InMemorySegmentStore local, RedisClusterAsyncCommands<byte[], byte[]> async, KeyLayout keys,
      FrameCodec frames, Duration timeout, long maxBytes, Duration staleAfter) {
    this.local = local;
    this.async = async;
    this.keys = keys;
    this.frames = frames;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
    this.staleAfterNanos = staleAfter.toNanos();
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
    private long usedNanos = System.nanoTime();
    private long held;
    private final Map<Long, int[]> liveByFrame = new HashMap<>();
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
    if (System.nanoTime() - r.usedNanos > staleAfterNanos) {
      reset(r);
    }
    return r;
  }

  public void release(Replica r) {
    r.usedNanos = System.nanoTime();
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
    r.liveByFrame.clear();
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

  /** Counts the spans a frame holds in the replica (the ones that were not duplicates). */
  public void stored(Replica r, long frameId, List<Span> spans, AddResult result) {
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
      r.liveByFrame.computeIfAbsent(frameId, f -> new int[1])[0] += live;
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
      int[] live = r.liveByFrame.get(frame);
      if (live != null && --live[0] == 0) {
        r.liveByFrame.remove(frame);
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
    stored(r, a.frameId(), spans, result);
  }
}
