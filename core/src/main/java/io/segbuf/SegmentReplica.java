package io.segbuf;

import io.segbuf.internal.InMemorySegmentStore;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The SPI for stores that keep their authoritative state elsewhere, as a history of operations (a log), and
 * assemble in the process: the in-memory store's assembly as a state machine. Replaying the same operations in
 * the same order gives the same segment ids, generations and duplicates in every process; the methods that take
 * {@link QueueChanges} say which queue entries the store must write. Not bounded: the caller {@link #forget}s
 * traces it no longer holds. Thread-safe.
 */
public interface SegmentReplica {

  /** An empty replica. */
  static SegmentReplica create() {
    return new InMemorySegmentStore(Integer.MAX_VALUE);
  }

  /** {@link SegmentStore#add}, telling {@code to} of every segment whose queue entry changed. */
  AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now, QueueChanges to);

  /**
   * Replays spans of one trace that were added and flushed already, known by their fields alone (their payloads
   * are gone): they take their places in the trees as flushed spans do, holding nothing.
   */
  void addFlushed(int shard, long projectId, TraceId traceId, List<KnownSpan> spans, FlushPolicy policy,
      QueueChanges to);

  /** {@link SegmentStore#seal}, telling {@code to} of the segment's queue entry when it changed. */
  @Nullable SealedSegment seal(SegmentKey key, Instant now, QueueChanges to);

  /** {@link SegmentStore#read}. */
  List<Span> read(SealedSegment segment);

  /**
   * Completes generation {@code generation} of a segment: when this replica holds it sealed, as {@link
   * SegmentStore#complete} does; when it never sealed it (its spans were flushed before the replica learned of
   * them), the segment's next generation follows it.
   *
   * @return the spans completed, in no order; empty when this replica held none of them
   */
  List<Span> complete(SegmentKey key, int generation, boolean chunked, QueueChanges to);

  /** Tells {@code to} of the queue entry of every segment of a trace that has one (holds spans). */
  void report(long projectId, TraceId traceId, QueueChanges to);

  /** Tells {@code to} of one segment's queue entry, or that it has none. */
  void report(SegmentKey key, QueueChanges to);

  /** True when the trace holds spans that are not flushed (open or sealed). */
  boolean buffers(long projectId, TraceId traceId);

  /** True when this replica holds a byte-identical copy of the span, buffered or flushed: adding it is a no-op. */
  boolean holds(Span span);

  /** Drops everything held of a trace, as if it had never been seen. */
  void forget(long projectId, TraceId traceId);
}
