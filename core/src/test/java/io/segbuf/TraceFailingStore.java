package io.segbuf;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A real in-memory store that fails on purpose for one trace: it refuses every batch holding a span of the trace
 * ({@link #refuseAdds}), or throws when a segment of the trace is sealed or read ({@link #refuseFlushes}), the way
 * a store error or an undecodable stored frame would. Shipped in core's test-jar.
 */
public final class TraceFailingStore implements SegmentStore {
  private final SegmentStore store;
  private volatile @Nullable TraceId refusedAdds;
  private volatile @Nullable TraceId refusedFlushes;

  public TraceFailingStore(SegmentStore store) {
    this.store = store;
  }

  /** Every batch holding a span of {@code trace} is refused whole from now on (null: none). */
  public TraceFailingStore refuseAdds(@Nullable TraceId trace) {
    this.refusedAdds = trace;
    return this;
  }

  /** Sealing or reading a segment of {@code trace} throws from now on (null: none). */
  public TraceFailingStore refuseFlushes(@Nullable TraceId trace) {
    this.refusedFlushes = trace;
    return this;
  }

  @Override
  public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    TraceId refused = refusedAdds;
    for (Span span : spans) {
      if (span.traceId().equals(refused)) {
        throw new SegbufException("store refuses trace " + refused);
      }
    }
    return store.add(shard, spans, policy, now);
  }

  @Override
  public List<DueSegment> due(int shard, Instant now, int limit) {
    return store.due(shard, now, limit);
  }

  @Override
  public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    checkFlush(key);
    return store.seal(key, now);
  }

  @Override
  public List<Span> read(SealedSegment segment) {
    checkFlush(segment.key());
    return store.read(segment);
  }

  private void checkFlush(SegmentKey key) {
    if (key.traceId().equals(refusedFlushes)) {
      throw new SegbufException("stored frame of " + key + " does not decode");
    }
  }

  @Override
  public void complete(SealedSegment segment, boolean chunked) {
    store.complete(segment, chunked);
  }

  @Override
  public StoreUsage usage() {
    return store.usage();
  }

  @Override
  public Set<Integer> shards() {
    return store.shards();
  }

  @Override
  public boolean durable() {
    return store.durable();
  }

  @Override
  public void close() {
    store.close();
  }
}
