package io.segbuf.internal;

import io.segbuf.FlushPolicy;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.StoreUsage;
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
 * Assembly (docs/design.md §2) over every trace of a store: each trace's {@link TraceAssembly}, each shard's
 * {@link DeadlineQueue}, the counters of what is buffered, and the traces with nothing buffered, which are
 * remembered (their span ids, without payload) until they hold more than {@code recentlyFlushedSpans} ids, least
 * recently active first. Also the seal and complete steps of the flush sequence (§4), which move a segment's
 * spans between its open and sealed generations. Times are event-time milliseconds. Not thread-safe: guarded by
 * its store's lock.
 */
final class SegmentAssembly implements TraceAssembly.SegmentSource {
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

  /** Limits are checked by the store that owns the assembly. */
  SegmentAssembly(int recentlyFlushedSpans, int flushedSpansPerTrace) {
    this.recentlyFlushedSpans = recentlyFlushedSpans;
    this.flushedSpansPerTrace = flushedSpansPerTrace;
  }

  @Override
  public long nextSeq() {
    return seq++;
  }

  /**
   * Adds valid spans of {@code shard} and moves the deadlines of the segments they touched by {@code policy}.
   *
   * @return the positions of the spans that were duplicates (not stored)
   */
  BitSet add(int shard, List<Span> spans, FlushPolicy policy, long nowMillis) {
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
    return duplicates;
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

  /** Up to {@code limit} of the shard's segments due at {@code nowMillis}, oldest deadline first. */
  List<DueSegment> due(int shard, long nowMillis, int limit) {
    DeadlineQueue queue = queues.get(shard);
    if (queue == null) {
      return List.of();
    }
    List<BufferedSegment> segments = queue.due(nowMillis, limit);
    if (segments.isEmpty()) {
      return List.of();
    }
    List<DueSegment> due = new ArrayList<>(segments.size());
    for (BufferedSegment segment : segments) {
      due.add(new DueSegment(segment.key, segment.reason));
    }
    return due;
  }

  /** Seals the segment's open spans as its next generation, or gives the generation sealed already. */
  @Nullable SealedSegment seal(SegmentKey key) {
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

  /**
   * The spans of a sealed generation, unmodifiable.
   *
   * @throws SegbufException when that generation is not sealed
   */
  List<Span> read(SealedSegment sealed) {
    BufferedSegment segment = find(sealed.key());
    List<Span> spans = segment == null ? null : segment.sealedSpans;
    if (segment == null || spans == null || !sealed.equals(segment.sealed)) {
      throw new SegbufException("segment " + sealed.key() + " generation " + sealed.generation() + " is not sealed");
    }
    return Collections.unmodifiableList(spans);
  }

  /** Forgets a sealed generation's payload once flushed; a generation completed already is left alone. */
  void complete(SealedSegment sealed, boolean chunked) {
    BufferedSegment segment = find(sealed.key());
    if (segment != null && sealed.equals(segment.sealed)) {
      complete(segment, sealed, chunked);
      evictIdle();
    } // else completed already
  }

  private void complete(BufferedSegment segment, SealedSegment sealed, boolean chunked) {
    List<Span> spans = segment.sealedSpans;
    if (spans == null) {
      return;
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

  /** The span ids and segments the trace holds in memory, or 0 when it is not remembered. */
  int held(long projectId, TraceId traceId) {
    TraceAssembly trace = traces.get(new TraceKey(projectId, traceId.high(), traceId.low()));
    return trace == null ? 0 : trace.nodeCount() + trace.segments.size();
  }

  StoreUsage usage() {
    return new StoreUsage(bufferedSegments, bufferedSpans, bufferedBytes, bufferedBytes, 0, forgottenSpans);
  }

  /** The shards whose queue holds a segment. */
  Set<Integer> shards() {
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
