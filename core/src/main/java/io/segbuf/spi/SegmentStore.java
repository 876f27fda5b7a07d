package io.segbuf.spi;

import io.segbuf.FlushPolicy;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.internal.InMemorySegmentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The SPI for buffered state (docs/design.md §2 and §4): assembles spans into segments, keeps each shard's queue of
 * segments by deadline, and seals, reads and completes segments for the flush sequence.
 *
 * <p>Contract, checked by the contract kit in core's test-jar ({@code SegmentStoreContract}):
 *
 * <ul>
 *   <li>every added span that is not a byte-identical copy of a buffered or recently flushed span is stored once
 *       and returned by exactly one {@link #read} of a sealed generation that is then completed;
 *   <li>segment ids follow docs/design.md §1: explicit {@code sentry.segment.id}, else the nearest root, else the
 *       top-most missing parent; segments merge when a missing parent arrives;
 *   <li>{@link #seal} freezes the spans it returns: spans added later go to the next generation; sealing again
 *       before {@link #complete} returns the same generation with the same spans;
 *   <li>nothing is deleted before {@link #complete}; spans arriving after a segment was flushed join a
 *       continuation with the same segment id and a higher generation while the store remembers the flush.
 * </ul>
 *
 * <p>Implementations are safe for one writer ({@link #add}) and one flusher per shard at a time.
 */
public interface SegmentStore extends AutoCloseable {

  /** {@return a store in this JVM's heap with default options} */
  static SegmentStore inMemory() {
    return new InMemorySegmentStore(InMemorySegmentStore.DEFAULT_RECENTLY_FLUSHED_SPANS);
  }

  /**
   * A store in this JVM's heap that remembers up to {@code recentlyFlushedSpans} flushed span ids, so that late
   * spans join a continuation of their segment.
   *
   * @param recentlyFlushedSpans how many span ids of flushed traces it remembers, at least 0
   * @return an empty store
   * @throws io.segbuf.ConfigException when {@code recentlyFlushedSpans} is negative
   */
  static SegmentStore inMemory(int recentlyFlushedSpans) {
    return new InMemorySegmentStore(recentlyFlushedSpans);
  }

  /**
   * A store in this JVM's heap that remembers up to {@code recentlyFlushedSpans} flushed span ids of idle traces,
   * and up to {@code flushedSpansPerTrace} of any one trace (past that, it forgets the older half): one trace id that
   * never goes quiet holds bounded memory.
   *
   * @param recentlyFlushedSpans how many span ids of idle traces it remembers, at least 0
   * @param flushedSpansPerTrace how many flushed span ids one trace remembers, at least 0
   * @return an empty store
   * @throws io.segbuf.ConfigException listing every negative limit
   */
  static SegmentStore inMemory(int recentlyFlushedSpans, int flushedSpansPerTrace) {
    return new InMemorySegmentStore(recentlyFlushedSpans, flushedSpansPerTrace);
  }

  /**
   * Adds valid spans for {@code shard} at event time {@code now}: assembles them into segments and moves their
   * deadlines by {@code policy}.
   *
   * @param shard the shard the spans came from
   * @param spans valid spans; the store keeps them
   * @param policy when their segments are due
   * @param now event time
   * @return which spans were duplicates (not stored)
   * @throws StoreUnavailableException when the store refuses the batch for a reason of its own (unreachable, out of
   *     memory, no longer the shard's owner), not of the spans: the same spans may be taken later
   */
  AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now);

  /**
   * This store, for a caller that tells nobody what it stored or flushed (a replay of a file commits no input): its
   * {@link #add}, {@link #seal} and {@link #complete} may return once the change is made to the state but before a
   * store whose state lives outside the process holds it there. {@link #sync} returns once it does, or throws the
   * failure. The in-memory store (and a store that does not say otherwise) returns itself.
   *
   * @return a view of this store that does not wait for its changes to be held
   */
  default SegmentStore unacknowledged() {
    return this;
  }

  /**
   * Returns once every change made so far, also through {@link #unacknowledged()}, is held where the store keeps
   * its state; throws the failure of one that is not. Nothing to wait for in the in-memory store.
   */
  default void sync() {}

  /**
   * The segments of {@code shard} that are due at {@code now}, oldest deadline first, at most {@code limit}. A
   * segment with a sealed generation not yet completed is listed as due again, so that it is retried.
   *
   * @param shard the shard whose queue is read
   * @param now event time
   * @param limit the most segments listed
   * @return the due segments with the reason each is due
   */
  List<DueSegment> due(int shard, Instant now, int limit);

  /**
   * Seals the segment's buffered spans as one generation, or returns the generation already sealed and not yet
   * completed.
   *
   * @param key the segment
   * @param now event time
   * @return the sealed generation, or null when the segment holds nothing
   */
  @Nullable SealedSegment seal(SegmentKey key, Instant now);

  /**
   * Seals each segment as {@link #seal(SegmentKey, Instant)} does, in order: the segments of a flush, sealed before
   * any of them is sent. A store that records its changes elsewhere records these together (the Redis store: one
   * command per shard instead of a round trip each). When it throws, any of them may be sealed; sealing again gives
   * the same generation, so the caller may seal them one by one then.
   *
   * @param keys the segments
   * @param now event time
   * @return for each key, in order, its sealed generation, or null when the segment holds nothing
   */
  default List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now) {
    List<@Nullable SealedSegment> sealed = new ArrayList<>(keys.size());
    for (SegmentKey key : keys) {
      sealed.add(seal(key, now));
    }
    return sealed;
  }

  /**
   * {@return the spans of a sealed generation, in any order}
   *
   * @param segment a generation {@link #seal} returned and not yet completed
   */
  List<Span> read(SealedSegment segment);

  /**
   * Deletes a sealed generation once every message of it was acknowledged.
   *
   * @param segment a generation {@link #seal} returned
   * @param chunked whether it was flushed in chunks: its continuations keep {@code skip_enrichment}
   */
  void complete(SealedSegment segment, boolean chunked);

  /**
   * Completes each generation as {@link #complete(SealedSegment, boolean)} does, in order: the generations of one
   * flush whose messages were all acknowledged. A store that records its changes elsewhere records these together
   * (the Redis store: one command per shard instead of a round trip each). When it throws, any of them may be left
   * sealed; completing a generation again is harmless, so the caller may complete them one by one then.
   *
   * @param completions the generations, each with how it was flushed
   */
  default void complete(List<Completion> completions) {
    for (Completion c : completions) {
      complete(c.segment(), c.chunked());
    }
  }

  /** {@return what the store holds now} */
  StoreUsage usage();

  /**
   * Whether a span is safe from the end of this process once {@link #add} returned, and seen by whichever process
   * takes its shard over (a shared store such as Redis). A consumer then commits input as soon as the store holds
   * it, and leaves a lost shard to its new owner.
   *
   * <p>False (the default, the in-memory store): spans live in this process until flushed. A consumer then commits
   * input only up to the oldest span not yet flushed, so that a crash reads the rest again, and flushes a shard
   * itself before it lets go of it. Such a store must return from {@link #read} the very {@link Span} objects
   * {@link #add} stored (their {@link Span#position()} tells the consumer which inputs are out).
   *
   * @return whether a span is safe once {@link #add} returned
   */
  default boolean durable() {
    return false;
  }

  /** {@return the shards that hold buffered segments} */
  Set<Integer> shards();

  /**
   * This process now owns {@code shard} (a Kafka partition was assigned to it): a store whose state outlives the
   * process takes the shard over here, before the shard is read or written, and fences its former owner. The
   * in-memory store needs nothing.
   *
   * <p>Once the caller called this or {@link #release} for a shard, it manages the shard's ownership: the store then
   * never takes the shard over by itself. When this call fails, the shard is refused ({@link
   * StoreUnavailableException}: its input is read again, never acknowledged) until a later call succeeds; a zombie that
   * lost the shard without knowing yet cannot fence its new owner merely by using it. A store used without either call
   * (a replay, a plain {@code SpanBuffer}) may take a shard over at its first use.
   *
   * @param shard the shard taken over
   * @throws RuntimeException when the takeover failed: the shard is not {@link #holds held}
   */
  default void acquire(int shard) {}

  /**
   * This process no longer owns {@code shard} (its partition was revoked or lost): a store whose state outlives the
   * process leaves the shard's state to the next owner and stops touching it, until {@link #acquire} takes it again: a
   * late use (a flush that was under way) is refused, never a takeover. Called after the shard's last flush.
   *
   * @param shard the shard let go
   */
  default void release(int shard) {}

  /**
   * Whether this store may serve {@code shard} now: false once another process took it over (a store learns that at
   * its next write to the shard), and, for a shard whose ownership the caller manages (see {@link #acquire}), while
   * its last {@link #acquire} failed or after it was {@link #release released}. A caller that still owns the shard
   * acquires it again. Always true for the in-memory store.
   *
   * @param shard the shard asked about
   * @return whether the shard's reads and writes may be served
   */
  default boolean holds(int shard) {
    return true;
  }

  /**
   * Asks whatever the store keeps its state in whether it answers now, for a service's readiness check; a call
   * that may wait for the network. The in-memory store always answers.
   *
   * @throws SegbufException when it does not answer
   */
  default void check() {}

  @Override
  default void close() {}
}
