package io.segbuf;

import io.segbuf.spi.AddResult;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUnavailableException;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A real in-memory store that fails on purpose: it refuses the next batches whatever they hold ({@link
 * #refuseNextAdds}, a store that is down), every batch holding a span of one trace ({@link #refuseAdds}), or throws
 * when a segment of the trace is sealed or read ({@link #refuseFlushes}), the way a store error or an undecodable
 * stored frame would. It can also hold the next add until a latch opens ({@link #holdNextAdd}, a slow store) and claim
 * to be durable ({@link #claimDurable}, as a shared store would). Shipped in core's test-jar.
 */
public final class TraceFailingStore implements SegmentStore {
  private final SegmentStore store;
  private volatile @Nullable TraceId refusedAdds;
  private volatile @Nullable TraceId refusedFlushes;
  private volatile @Nullable CountDownLatch holdNextAdd;
  private volatile @Nullable Runnable afterNextAdd;
  private volatile boolean durable;
  private final AtomicInteger refuseNext = new AtomicInteger();
  private volatile Consumer<List<Span>> onAdd = spans -> {};

  public TraceFailingStore(SegmentStore store) {
    this.store = store;
  }

  /** The next {@code batches} adds are refused ({@link StoreUnavailableException}), as by a store that is down. */
  public TraceFailingStore refuseNextAdds(int batches) {
    refuseNext.set(batches);
    return this;
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

  /** The next add waits until {@code latch} opens. */
  public TraceFailingStore holdNextAdd(CountDownLatch latch) {
    this.holdNextAdd = latch;
    return this;
  }

  /** The next add, once the spans are stored, runs {@code action} before it returns (a caller slow to go on). */
  public TraceFailingStore afterNextAdd(Runnable action) {
    this.afterNextAdd = action;
    return this;
  }

  /** {@code listener} sees every batch handed to the store, before the store takes it (or fails to). */
  public TraceFailingStore onAdd(Consumer<List<Span>> listener) {
    this.onAdd = listener;
    return this;
  }

  /** {@link #durable()} answers {@code durable} from now on (the in-memory store answers false). */
  public TraceFailingStore claimDurable(boolean durable) {
    this.durable = durable;
    return this;
  }

  @Override
  public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    CountDownLatch latch = holdNextAdd;
    if (latch != null) {
      holdNextAdd = null;
      try {
        latch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SegbufException("interrupted while held", e);
      }
    }
    if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new StoreUnavailableException("store unavailable");
    }
    TraceId refused = refusedAdds;
    for (Span span : spans) {
      if (span.traceId().equals(refused)) {
        throw new SegbufException("store refuses trace " + refused);
      }
    }
    onAdd.accept(spans);
    AddResult added = store.add(shard, spans, policy, now);
    Runnable after = afterNextAdd;
    if (after != null) {
      afterNextAdd = null;
      after.run();
    }
    return added;
  }

  @Override
  public void acquire(int shard) {
    store.acquire(shard);
  }

  @Override
  public void release(int shard) {
    store.release(shard);
  }

  @Override
  public boolean holds(int shard) {
    return store.holds(shard);
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
    return durable || store.durable();
  }

  @Override
  public void close() {
    store.close();
  }
}
