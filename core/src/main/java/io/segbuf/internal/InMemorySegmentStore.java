package io.segbuf.internal;

import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import io.segbuf.FlushPolicy;
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
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SegmentStore} in this JVM's heap: a {@link SegmentAssembly} behind one lock. Spans are parsed before
 * the lock and messages encoded after it, so the lock covers assembly and bookkeeping only.
 *
 * <p>A trace whose segments are all flushed is remembered (its span ids, without payload) until more than
 * {@code recentlyFlushedSpans} such ids are held, oldest trace first: late spans of a remembered trace join a
 * continuation of their segment, and redelivered copies are recognised as duplicates. A trace that stays active
 * remembers at most {@code flushedSpansPerTrace} flushed spans: past that, it forgets the older half (counted in
 * {@link StoreUsage#forgottenSpans()}), so that one trace id that never goes quiet holds bounded memory.
 */
public final class InMemorySegmentStore implements SegmentStore, SnapshotStore {
  public static final int DEFAULT_RECENTLY_FLUSHED_SPANS = 100_000;
  public static final int DEFAULT_FLUSHED_SPANS_PER_TRACE = 100_000;

  final SegmentAssembly assembly;

  /**
   * A store in the state a {@link #snapshot} wrote.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot
   */
  public static InMemorySegmentStore restore(byte[] snapshot, int recentlyFlushedSpans) {
    InMemorySegmentStore store = new InMemorySegmentStore(recentlyFlushedSpans);
    StoreSnapshot.read(snapshot, store.assembly);
    return store;
  }

  /**
   * An empty store with these limits and the default {@code flushedSpansPerTrace}.
   *
   * @throws ConfigException when {@code recentlyFlushedSpans} is negative
   */
  public InMemorySegmentStore(int recentlyFlushedSpans) {
    this(recentlyFlushedSpans, DEFAULT_FLUSHED_SPANS_PER_TRACE);
  }

  /**
   * An empty store with these limits.
   *
   * @throws ConfigException listing every negative limit
   */
  public InMemorySegmentStore(int recentlyFlushedSpans, int flushedSpansPerTrace) {
    List<ConfigProblem> problems = new ArrayList<>(2);
    if (recentlyFlushedSpans < 0) {
      problems.add(new ConfigProblem("recentlyFlushedSpans", "be >= 0", recentlyFlushedSpans));
    }
    if (flushedSpansPerTrace < 0) {
      problems.add(new ConfigProblem("flushedSpansPerTrace", "be >= 0", flushedSpansPerTrace));
    }
    ConfigException.throwIfAny(problems);
    this.assembly = new SegmentAssembly(recentlyFlushedSpans, flushedSpansPerTrace);
  }

  @Override
  public synchronized AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    return new AddResult(assembly.add(shard, spans, policy, now.toEpochMilli()));
  }

  @Override
  public synchronized List<DueSegment> due(int shard, Instant now, int limit) {
    return assembly.due(shard, now.toEpochMilli(), limit);
  }

  @Override
  public synchronized @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    return assembly.seal(key);
  }

  @Override
  public synchronized List<Span> read(SealedSegment sealed) {
    return assembly.read(sealed);
  }

  @Override
  public synchronized void complete(SealedSegment sealed, boolean chunked) {
    assembly.complete(sealed, chunked);
  }

  /** The span ids and segments the trace holds in memory, or 0 when it is not remembered (for tests). */
  synchronized int held(long projectId, TraceId traceId) {
    return assembly.held(projectId, traceId);
  }

  @Override
  public synchronized byte[] snapshot() {
    return StoreSnapshot.write(assembly);
  }

  @Override
  public synchronized long snapshotBytes() {
    return StoreSnapshot.size(assembly);
  }

  @Override
  public synchronized StoreUsage usage() {
    return assembly.usage();
  }

  @Override
  public synchronized Set<Integer> shards() {
    return assembly.shards();
  }
}
