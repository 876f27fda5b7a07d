package io.segbuf.kafka;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.segbuf.FlushPolicy;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.spi.AddResult;
import io.segbuf.spi.Completion;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SegmentStore} that times every call of the store it wraps (docs/design.md §6, store latency): a Micrometer
 * timer {@code segbuf.store.latency} tagged {@code operation} = add, due, seal, read or complete, failed calls
 * included. Everything else is the wrapped store's; thread safety is the wrapped store's too.
 */
public final class MeteredSegmentStore implements SegmentStore {
  private final SegmentStore store;
  private final Clock clock;
  private final Timer add;
  private final Timer due;
  private final Timer seal;
  private final Timer read;
  private final Timer complete;

  /**
   * Wraps {@code store} and registers its timers.
   *
   * @param store the store whose calls are timed; {@link #close()} closes it
   * @param registry where the timers are registered; its clock times the calls
   * @param tags added to every timer
   */
  public MeteredSegmentStore(SegmentStore store, MeterRegistry registry, Iterable<Tag> tags) {
    this.store = store;
    this.clock = registry.config().clock();
    this.add = timer(registry, tags, "add");
    this.due = timer(registry, tags, "due");
    this.seal = timer(registry, tags, "seal");
    this.read = timer(registry, tags, "read");
    this.complete = timer(registry, tags, "complete");
  }

  private static Timer timer(MeterRegistry registry, Iterable<Tag> tags, String operation) {
    return Timer.builder("segbuf.store.latency").description("time of one call of the segment store")
        .tags(Tags.of(tags).and("operation", operation)).publishPercentileHistogram().register(registry);
  }

  @Override
  public AddResult add(int shard, List<Span> spans, FlushPolicy policy, Instant now) {
    return add.record(() -> store.add(shard, spans, policy, now));
  }

  @Override
  public List<DueSegment> due(int shard, Instant now, int limit) {
    return due.record(() -> store.due(shard, now, limit));
  }

  @Override
  public @Nullable SealedSegment seal(SegmentKey key, Instant now) {
    Timer.Sample sample = Timer.start(clock);
    try {
      return store.seal(key, now);
    } finally {
      sample.stop(seal);
    }
  }

  /** Timed as one call of {@code seal}, however many segments it seals. */
  @Override
  public List<@Nullable SealedSegment> seal(List<SegmentKey> keys, Instant now) {
    Timer.Sample sample = Timer.start(clock);
    try {
      return store.seal(keys, now);
    } finally {
      sample.stop(seal);
    }
  }

  @Override
  public List<Span> read(SealedSegment segment) {
    return read.record(() -> store.read(segment));
  }

  @Override
  public void complete(SealedSegment segment, boolean chunked) {
    complete.record(() -> store.complete(segment, chunked));
  }

  /** Timed as one call of {@code complete}, however many generations it completes. */
  @Override
  public void complete(List<Completion> completions) {
    complete.record(() -> store.complete(completions));
  }

  @Override
  public StoreUsage usage() {
    return store.usage();
  }

  @Override
  public boolean durable() {
    return store.durable();
  }

  @Override
  public Set<Integer> shards() {
    return store.shards();
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
  public void check() {
    store.check();
  }

  @Override
  public void close() {
    store.close();
  }
}
