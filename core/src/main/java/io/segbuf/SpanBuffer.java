package io.segbuf;

import io.segbuf.internal.SegmentFlusher;
import io.segbuf.internal.StatsRecorder;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The entry point for an embedding service: spans in through {@link #offer}, segments out through {@link
 * #flush} to a {@link SegmentSink}, state in a {@link SegmentStore}.
 *
 * <p>Time is event time: every call takes {@code now} from the caller, and the buffer never reads the wall clock
 * for its policy. The hot path does not throw for bad data or load: {@link #offer} returns an outcome per span
 * and {@link #flush} reports refused messages as {@link Outcome.Rejected}.
 *
 * <p>Thread safety: {@link #offer} and {@link #flush} may run on different threads; at most one thread at a time
 * may flush a given shard. Byte arrays passed to {@link #offer} belong to the buffer afterwards.
 */
public final class SpanBuffer {
  /** A time after every deadline, for flushing everything. */
  private static final Instant END_OF_TIME = Instant.ofEpochMilli(Long.MAX_VALUE);

  private final SpanBufferConfig config;
  private final SegmentStore store;
  private final StatsRecorder stats = new StatsRecorder();
  private final SegmentFlusher flusher;

  private SpanBuffer(SpanBufferConfig config, SegmentStore store, SegmentSink sink) {
    this.config = config;
    this.store = store;
    this.flusher = new SegmentFlusher(store, sink, new Chunker(config.chunking(), config.maxMessageBytes()),
        config.sendTimeout(), stats);
  }

  /**
   * A buffer over {@code store} that sends to {@code sink}; both stay the caller's to close.
   *
   * @param config the limits, flush policy and chunking
   * @param store where spans are buffered
   * @param sink where messages are sent
   * @return the buffer
   */
  public static SpanBuffer create(SpanBufferConfig config, SegmentStore store, SegmentSink sink) {
    return new SpanBuffer(config, store, sink);
  }

  /** {@return the configuration it was created with} */
  public SpanBufferConfig config() {
    return config;
  }

  /**
   * Parses and buffers a batch of spans for {@code shard} at event time {@code now}.
   *
   * @param shard the shard the spans came from (a Kafka partition)
   * @param spans each one span's JSON bytes; the buffer keeps the arrays
   * @param now event time
   * @return an outcome for each span, in order
   */
  public OfferResult offer(int shard, List<byte[]> spans, Instant now) {
    return offer(shard, spans, null, now);
  }

  /**
   * Like {@link #offer(int, List, Instant)}, and gives the span of {@code spans.get(i)} the position {@code
   * positions[i]} (an opaque number of the caller's, such as a record sequence): {@link FlushResult#completed()}
   * hands the spans back with it once their generation is completed, so that the caller can tell which of its
   * inputs are out.
   *
   * @param shard the shard the spans came from (a Kafka partition)
   * @param spans each one span's JSON bytes; the buffer keeps the arrays
   * @param positions one per span, or null for none ({@link Span#NO_POSITION})
   * @param now event time
   * @return an outcome for each span, in order
   */
  public OfferResult offer(int shard, List<byte[]> spans, long @Nullable [] positions, Instant now) {
    if (positions != null && positions.length != spans.size()) {
      throw new IllegalArgumentException(
          "positions must have one entry per span (" + spans.size() + ") but had " + positions.length);
    }
    List<Outcome> outcomes = new ArrayList<>(spans.size());
    List<Span> valid = new ArrayList<>(spans.size());
    for (int i = 0; i < spans.size(); i++) {
      ParseResult parsed = Span.parse(spans.get(i));
      if (parsed instanceof Span) {
        Span span = (Span) parsed;
        if (positions != null) {
          span.position(positions[i]);
        }
        valid.add(span);
        outcomes.add(Outcome.BUFFERED);
      } else {
        Outcome.Invalid bad = (Outcome.Invalid) parsed;
        stats.invalid(bad.reason());
        outcomes.add(bad);
      }
    }
    stats.offeredSpans.add(spans.size() - valid.size());
    OfferResult added = offerSpans(shard, valid, now);
    int next = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) == Outcome.BUFFERED) {
        outcomes.set(i, added.outcomes().get(next++));
      }
    }
    return new OfferResult(outcomes, added.buffered(), added.duplicates(), spans.size() - valid.size());
  }

  /**
   * Buffers spans parsed by the caller (with {@link Span#parse}) for {@code shard} at event time {@code now}.
   *
   * @param shard the shard the spans came from (a Kafka partition)
   * @param spans valid spans
   * @param now event time
   * @return {@link Outcome#BUFFERED} or {@link Outcome#DUPLICATE} for each span, in order
   */
  public OfferResult offerSpans(int shard, List<Span> spans, Instant now) {
    stats.offeredSpans.add(spans.size());
    if (spans.isEmpty()) {
      return new OfferResult(List.of(), 0, 0, 0);
    }
    AddResult added = store.add(shard, spans, config.flushPolicy(), now);
    List<Outcome> outcomes = new ArrayList<>(spans.size());
    for (int i = 0; i < spans.size(); i++) {
      outcomes.add(added.isDuplicate(i) ? Outcome.DUPLICATE : Outcome.BUFFERED);
    }
    int duplicates = added.duplicateCount();
    stats.duplicateSpans.add(duplicates);
    return new OfferResult(outcomes, spans.size() - duplicates, duplicates, 0);
  }

  /**
   * Flushes the segments of {@code shard} that are due at {@code now}, at most {@code maxFlushSegments}, oldest
   * deadline first; then, while the store holds more than {@code maxBufferedBytes}, the oldest others, one at
   * a time.
   *
   * @param shard the shard to flush
   * @param now event time
   * @return what was flushed, rejected and completed
   */
  public FlushResult flush(int shard, Instant now) {
    FlushResult result = flusher.flush(shard, now, config.maxFlushSegments(), null, now);
    if (config.maxBufferedBytes() > 0) {
      while (store.usage().bytes() > config.maxBufferedBytes()) {
        FlushResult early = flusher.flush(shard, END_OF_TIME, 1, FlushReason.BUFFER_FULL, now);
        result = result.plus(early);
        if (early.segments() == 0) {
          break;
        }
      }
    }
    return result;
  }

  /**
   * Flushes everything the store holds, on every shard, whatever the deadlines (on shutdown). Stops early when a
   * round completes nothing (the sink keeps failing); what is left stays buffered.
   *
   * @param now event time
   * @return what was flushed, rejected and completed
   */
  public FlushResult drain(Instant now) {
    FlushResult result = FlushResult.EMPTY;
    while (true) {
      FlushResult round = FlushResult.EMPTY;
      for (int shard : store.shards()) {
        round = round.plus(drainRound(shard, now));
      }
      result = result.plus(round);
      if (round.segments() == 0) {
        return result;
      }
    }
  }

  /**
   * Flushes everything the store holds for {@code shard}, whatever the deadlines (when the shard is handed to
   * another owner that cannot see this store, or on shutdown). Stops early when a round completes nothing (the
   * sink keeps failing); what is left stays buffered.
   *
   * @param shard the shard to drain
   * @param now event time
   * @return what was flushed, rejected and completed
   */
  public FlushResult drain(int shard, Instant now) {
    FlushResult result = FlushResult.EMPTY;
    while (true) {
      FlushResult round = drainRound(shard, now);
      result = result.plus(round);
      if (round.segments() == 0) {
        return result;
      }
    }
  }

  private FlushResult drainRound(int shard, Instant now) {
    return flusher.flush(shard, END_OF_TIME, config.maxFlushSegments(), FlushReason.SHUTDOWN, now);
  }

  /** {@return the shards the store holds segments of ({@link SegmentStore#shards()})} */
  public Set<Integer> shards() {
    return store.shards();
  }

  /**
   * {@return whether the store is durable ({@link SegmentStore#durable()})}: it decides how a consumer commits its
   * input.
   */
  public boolean durable() {
    return store.durable();
  }

  /**
   * This process now owns {@code shard}: see {@link SegmentStore#acquire}. Call before offering to it.
   *
   * @param shard the shard acquired
   */
  public void acquire(int shard) {
    store.acquire(shard);
  }

  /**
   * {@return whether the store holds {@code shard} now ({@link SegmentStore#holds})}: a caller that still owns it
   * acquires it again when not.
   *
   * @param shard the shard asked about
   */
  public boolean holds(int shard) {
    return store.holds(shard);
  }

  /**
   * This process no longer owns {@code shard}: see {@link SegmentStore#release}. Call after its last flush.
   *
   * @param shard the shard released
   */
  public void release(int shard) {
    store.release(shard);
    if (!store.shards().contains(shard)) {
      // A store that hands the shard over no longer holds its failing segments: their back-offs are the next
      // owner's, and counted here they would keep input from being paused for memory (backedOffSegments).
      flusher.forget(shard);
    }
  }

  /** {@return what the store holds now, with its memory use (for backpressure)} */
  public StoreUsage usage() {
    return store.usage();
  }

  /**
   * Segments whose flush failed and that wait, each on its own back-off, for a retry. Flushing frees none of them
   * until the cause is gone, so a caller pausing input to let flushes free memory does not count them.
   *
   * @return how many segments wait for a retry
   */
  public int backedOffSegments() {
    return flusher.backedOffSegments();
  }

  /** {@return gauges from the store and counters since creation} */
  public BufferStats stats() {
    return stats.snapshot(store.usage());
  }
}
