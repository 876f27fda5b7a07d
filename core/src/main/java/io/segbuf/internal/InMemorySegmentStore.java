package io.segbuf.internal;

import io.segbuf.FlushPolicy;
import io.segbuf.FlushReason;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SnapshotStore;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SegmentStore} in this JVM's heap. One lock guards all state; spans are parsed before it and
 * messages encoded after it, so the lock covers assembly and bookkeeping only.
 *
 * <p>A trace whose segments are all flushed is remembered (its span ids, without payload) until more than
 * {@code recentlyFlushedSpans} such ids are held, oldest trace first: late spans of a remembered trace join a
 * continuation of their segment, and redelivered copies are recognised as duplicates. A trace that stays active
 * remembers at most {@code flushedSpansPerTrace} flushed spans: past that, it forgets the older half (counted in
 * {@link StoreUsage#forgottenSpans()}), so that one trace id that never goes quiet holds bounded memory.
 */
public final class InMemorySegmentStore
    implements SegmentStore, SnapshotStore, TraceAssembly.SegmentSource {
  public static final int DEFAULT_RECENTLY_FLUSHED_SPANS = 100_000;
  public static final int DEFAULT_FLUSHED_SPANS_PER_TRACE = 100_000;

  private final int recentlyFlushedSpans;
  final int flushedSpansPerTrace;
  final Map<TraceKey, TraceAssembly> traces = new HashMap<>();
  final Map<Integer, DeadlineQueue> queues = new HashMap<>();
  /** Traces with nothing buffered, least recently active first, and the span ids they hold. */
  final LinkedHashMap<TraceKey, Integer> idle = new LinkedHashMap<>();
  private final TouchedSegments touched = new TouchedSegments();
  long idleNodes;
  long bufferedSegments;
  long bufferedSpans;
  long bufferedBytes;
  long seq;
  long forgottenSpans;

  /**
   * A store in the state a {@link #snapshot} wrote.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot
   */
  public static InMemorySegmentStore restore(byte[] snapshot, int recentlyFlushedSpans) {
    InMemorySegmentStore store = new InMemorySegmentStore(recentlyFlushedSpans);
    StoreSnapshot.read(snapshot, store);
    return store;
  }

  public InMemorySegmentStore(int recentlyFlushedSpans) {
    this(recentlyFlushedSpans, DEFAULT_FLUSHED_SPANS_PER_TRACE);
  }

  public InMemorySegmentStore(int recentlyFlushedSpans, int flushedSpansPerTrace) {
    List<String> problems = new ArrayList<>(2);
    if (recentlyFlushedSpans < 0) {
      problems.add("recentlyFlushedSpans must be >= 0 but was " + recentlyFlushedSpans);
    }
    if (flushedSpansPerTrace < 0) {
      problems.add("flushedSpansPerTrace must be >= 0 but was " + flushedSpansPerTrace);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.recentlyFlushedSpans = recentlyFlushedSpans;
    this.flushedSpansPerTrace = flushedSpansPerTrace;
  }

  @Override
  public long nextSeq() {
    return seq++;
  }

  @Override
  public synchronized AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    long nowMillis = now.toEpochMilli();
    BitSet duplicates = new BitSet();
    try {
      for (int i = 0; i < spans.size(); i++) {
        Span span = spans.get(i);
        BufferedSegment segment = trace(span).add(span, shard, nowMillis, this, touched);
        if (segment == null) {
          duplicates.set(i);
          continue;
        }
        bufferedSpans++;
        bufferedBytes += span.size();
        touched.add(segment);
      }
    } finally {
      touched.drain(segment -> schedule(segment, policy));
    }
    evictIdle();
    return new AddResult(duplicates);
  }

  private TraceAssembly trace(Span span) {
    TraceKey key = new TraceKey(span.projectId(), span.traceIdHigh(), span.traceIdLow());
    TraceAssembly trace = traces.get(key);
    if (trace == null) {
      trace = new TraceAssembly(span.projectId(), span.traceId(), flushedSpansPerTrace);
      traces.put(key, trace);
    }
    return trace;
  }

  /** Gives a touched segment with open spans its deadline by {@code policy}, and its place in the queue. */
  private void schedule(BufferedSegment segment, FlushPolicy policy) {
    if (segment.openSpans > 0) {
      FlushPolicy.Deadline d =
          policy.deadline(segment.firstInsertMillis, segment.lastInsertMillis, segment.hasRoot, segment.openBytes);
      segment.openDeadlineMillis = d.atMillis();
      segment.openReason = d.reason();
    }
    reschedule(segment);
  }

  @Override
  public synchronized List<DueSegment> due(int shard, Instant now, int limit) {
    DeadlineQueue queue = queues.get(shard);
    if (queue == null) {
      return List.of();
    }
    List<BufferedSegment> segments = queue.due(now.toEpochMilli(), limit);
    if (segments.isEmpty()) {
      return List.of();
    }
    List<DueSegment> due = new ArrayList<>(segments.size());
    for (BufferedSegment segment : segments) {
      due.add(new DueSegment(segment.key, segment.reason));
    }
    return due;
  }

  @Override
  public synchronized @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    BufferedSegment segment = find(key);
    if (segment == null) {
      return null;
    }
    if (segment.sealed != null) {
      return segment.sealed;
    }
    if (segment.openSpans == 0) {
      return null;
    }
    long bytes = segment.openBytes;
    List<Span> spans = segment.takeOpenSpans();
    SealedSegment sealed =
        new SealedSegment(key, segment.shard, segment.nextGeneration++, spans.size(), bytes, segment.chunked);
    segment.sealed = sealed;
    segment.sealedSpans = spans;
    segment.sealedReason = segment.reason;
    reschedule(segment);
    return sealed;
  }

  @Override
  public synchronized List<Span> read(SealedSegment sealed) {
    BufferedSegment segment = find(sealed.key());
    List<Span> spans = segment == null ? null : segment.sealedSpans;
    if (segment == null || spans == null || !sealed.equals(segment.sealed)) {
      throw new SegbufException("segment " + sealed.key() + " generation " + sealed.generation() + " is not sealed");
    }
    return Collections.unmodifiableList(spans);
  }

  @Override
  public synchronized void complete(SealedSegment sealed, boolean chunked) {
    BufferedSegment segment = find(sealed.key());
    if (segment != null && sealed.equals(segment.sealed)) {
      complete(segment, chunked);
      evictIdle();
    } // else completed already
  }

  private List<Span> complete(BufferedSegment segment, boolean chunked) {
    SealedSegment sealed = segment.sealed;
    List<Span> spans = segment.sealedSpans;
    if (sealed == null || spans == null) {
      return List.of();
    }
    TraceKey key = TraceKey.of(sealed.key());
    TraceAssembly trace = traces.get(key);
    if (trace != null) {
      trace.forgetPayload(spans);
      trimFlushed(trace, key);
    }
    bufferedSpans -= sealed.spans();
    bufferedBytes -= sealed.bytes();
    segment.chunked |= chunked;
    segment.sealed = null;
    segment.sealedSpans = null;
    reschedule(segment);
    return spans;
  }

  /** Lets the trace forget its oldest flushed spans past its limit, and keeps the idle count true. */
  private void trimFlushed(TraceAssembly trace, TraceKey key) {
    int forgotten = trace.trimFlushed();
    if (forgotten > 0) {
      forgottenSpans += forgotten;
      Integer held = idle.get(key);
      if (held != null) {
        idle.put(key, trace.nodeCount());
        idleNodes += trace.nodeCount() - held;
      }
    }
  }

  /** The span ids and segments the trace holds in memory, or 0 when it is not remembered (for tests). */
  synchronized int held(long projectId, TraceId traceId) {
    TraceAssembly trace = traces.get(new TraceKey(projectId, traceId.high(), traceId.low()));
    return trace == null ? 0 : trace.nodeCount() + trace.segments.size();
  }

  @Override
  public synchronized byte[] snapshot() {
    return StoreSnapshot.write(this);
  }

  @Override
  public synchronized StoreUsage usage() {
    return new StoreUsage(bufferedSegments, bufferedSpans, bufferedBytes, bufferedBytes, 0, forgottenSpans);
  }

  @Override
  public synchronized Set<Integer> shards() {
    Set<Integer> shards = new HashSet<>();
    queues.forEach((shard, queue) -> {
      if (!queue.isEmpty()) {
        shards.add(shard);
      }
    });
    return shards;
  }

  private @Nullable BufferedSegment find(SegmentKey key) {
    TraceAssembly trace = traces.get(TraceKey.of(key));
    return trace == null ? null : trace.segments.get(key.segmentId());
  }

  DeadlineQueue queue(int shard) {
    return queues.computeIfAbsent(shard, s -> new DeadlineQueue());
  }

  /** Puts the segment at its place in its shard's queue, or takes it out when it holds nothing. */
  private void reschedule(BufferedSegment segment) {
    DeadlineQueue queue = queue(segment.shard);
    if (segment.sealed != null) {
      segment.reason = segment.sealedReason;
      queue.place(segment); // keeps its deadline: a sealed generation is retried first
    } else if (segment.openSpans > 0) {
      segment.deadlineMillis = segment.openDeadlineMillis;
      segment.reason = segment.openReason;
      queue.place(segment);
    } else {
      queue.remove(segment);
    }
    setActive(segment, segment.hasBuffered());
  }

  private void setActive(BufferedSegment segment, boolean active) {
    if (segment.active == active) {
      return;
    }
    segment.active = active;
    bufferedSegments += active ? 1 : -1;
    TraceKey key = TraceKey.of(segment.key);
    TraceAssembly trace = traces.get(key);
    if (trace == null) {
      return;
    }
    trace.activeSegments += active ? 1 : -1;
    if (trace.activeSegments == 0) {
      int held = trace.nodeCount();
      idle.put(key, held);
      idleNodes += held;
    } else if (active && trace.activeSegments == 1) {
      Integer held = idle.remove(key);
      if (held != null) {
        idleNodes -= held;
      }
    }
  }

  /** Forgets the least recently active idle traces while they hold too many span ids. */
  private void evictIdle() {
    if (idleNodes <= recentlyFlushedSpans) {
      return; // the common case, without an iterator
    }
    Iterator<Map.Entry<TraceKey, Integer>> it = idle.entrySet().iterator();
    while (idleNodes > recentlyFlushedSpans && it.hasNext()) {
      Map.Entry<TraceKey, Integer> eldest = it.next();
      idleNodes -= eldest.getValue();
      traces.remove(eldest.getKey());
      it.remove();
    }
  }
}
