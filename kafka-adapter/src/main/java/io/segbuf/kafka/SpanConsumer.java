package io.segbuf.kafka;

import io.segbuf.FlushResult;
import io.segbuf.Outcome;
import io.segbuf.SegmentFailure;
import io.segbuf.SpanBuffer;
import io.segbuf.kafka.internal.Backpressure;
import io.segbuf.kafka.internal.DeadLetters;
import io.segbuf.kafka.internal.FlushedShard;
import io.segbuf.kafka.internal.FlusherPool;
import io.segbuf.kafka.internal.OrphanShards;
import io.segbuf.kafka.internal.OwnedPartition;
import io.segbuf.kafka.internal.Printable;
import io.segbuf.kafka.internal.RecordOffers;
import io.segbuf.kafka.internal.RefusalBackoff;
import io.segbuf.kafka.internal.Watermarks;
import io.segbuf.spi.FatalSinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ingest-spans} consumer loop (docs/design.md §5): reads spans, offers them to a {@link SpanBuffer} with
 * shard = partition number, commits what is safe, and flushes the partitions it owns.
 *
 * <p>The polling thread runs cycles: poll; per partition, offer the records' values at the partition's time;
 * commit; publish each owned partition's time; apply backpressure. Flusher threads flush each owned partition at
 * its published time, a shard at a time under the shard's lock (so several threads share the partitions and never
 * flush one shard at once), and waiting for the sink never delays polling ({@link
 * SpanConsumerOptions#flushThreads()}; with none, the polling thread flushes between polls). A partition's time is
 * its event time (the largest record timestamp seen) until it is caught up (no lag as of the last poll), then the
 * wall clock (never going back).
 *
 * <p>Commits: with a durable store ({@link io.segbuf.spi.SegmentStore#durable()}) every offset the store took; with
 * one that is not (the in-memory store), a partition's offsets only up to its oldest record whose span is not
 * flushed yet ({@link Watermarks}), so that a crash reads again, rather than loses, what was buffered. Such a
 * store serves this consumer alone: it flushes every shard of it, owned or not.
 *
 * <p>Backpressure pauses, while polling goes on, every owned partition when the store's memory fraction or
 * buffered bytes reach their limit (until the store is below {@value SpanConsumerOptions#RESUME_FACTOR} of it;
 * partitions then flush at the wall clock, since their event time cannot move), and only the partition concerned
 * when its shard's flush has been at {@code maxFlushSegments} (or its sends failing) for {@code laggingFlushCycles}
 * cycles in a row, or when the store refused its batch (until the back-off is over). Nothing is dropped: a batch
 * the store refuses is read again (or, span by span, dead-lettered: {@link
 * SpanConsumerOptions#deadLetterAfterRefusals()}); a segment the sink fails to take stays sealed and is sent again;
 * a segment whose flush throws is backed off alone while the rest of its shard flushes. A {@link
 * FatalSinkException} stops the loop without flushing more.
 *
 * <p>{@link #run()} runs the loop on the calling thread until {@link #close()} is called from another; then it
 * stops polling, drains (or hands over, per {@link SpanConsumerOptions#drainOnRevoke()}) the owned partitions,
 * commits and closes the Kafka consumer. {@link #stats()} may be called from any thread.
 */
public final class SpanConsumer implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpanConsumer.class);
  private static final long UNKNOWN = Long.MIN_VALUE;

  private final Consumer<byte[], byte[]> consumer;
  private final DeadLetters deadLetters;
  private final SpanConsumerOptions options;
  private final SpanBuffer buffer;
  /** Commit after the store took the spans (durable), or up to the oldest span not yet flushed (not durable). */
  private final boolean durableStore;
  private final Watermarks watermarks = new Watermarks();
  /** Offsets last committed per partition (store not durable); loop thread only. */
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  /** Set once the sink failed for good: the service stops without flushing more. */
  private final AtomicReference<@Nullable FatalSinkException> fatal = new AtomicReference<>();

  /** Owned partitions; loop thread only. */
  private final Map<TopicPartition, OwnedPartition> owned = new LinkedHashMap<>();
  /** Offsets offered but not committed yet; loop thread only. */
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  // Each step of the cycle but polling and committing has a class of its own, so that it can be read (and tested)
  // alone: a partition's time is its PartitionClock.
  /** Offers the polled records to the store, reading refused batches again or dead-lettering their spans. */
  private final RecordOffers offers;
  /** Flushes the owned shards (and the orphans) at their published time, on threads of its own or this one. */
  private final FlusherPool flushers;
  /** Shards not owned that only this store holds (not durable): flushed at the wall clock. */
  private final OrphanShards orphans;
  /** Pauses the partitions that must wait: every one for memory, or one whose flush lags or batch was refused. */
  private final Backpressure backpressure;

  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean stopping;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private final AtomicLong commits = new AtomicLong();
  /** Shards the store failed to take over (its refusals of batches are counted by {@link #offers}). */
  private final AtomicLong acquireFailures = new AtomicLong();
  private final AtomicLong skippedRecords = new AtomicLong();
  private final AtomicLong rejectedMessages = new AtomicLong();
  private final AtomicLong rejectedSpans = new AtomicLong();
  private final AtomicLong lostPartitions = new AtomicLong();
  private volatile int assignedPartitions;
  private volatile long lag;
  private volatile long lastPollMillis = UNKNOWN;

  SpanConsumer(Consumer<byte[], byte[]> consumer, @Nullable Producer<byte[], byte[]> deadLetters,
      SpanConsumerOptions options, SpanBuffer buffer) {
    this.consumer = consumer;
    this.deadLetters = new DeadLetters(deadLetters, options.deadLetterTopic());
    this.options = options;
    this.buffer = buffer;
    this.durableStore = buffer.durable();
    this.offers = new RecordOffers(consumer, buffer, this.deadLetters, options.deadLetterAfterRefusals(),
        options.clock());
    this.flushers = new FlusherPool(this::flushOne, options.clock(), options.pollTimeout());
    this.orphans = new OrphanShards(options.topic(), flushers, watermarks);
    this.backpressure = new Backpressure(options.pauseAboveMemoryFraction(), options.pauseAboveBufferedBytes(),
        SpanConsumerOptions.RESUME_FACTOR, options.laggingFlushCycles());
  }

  /**
   * A consumer loop over {@code buffer}, with its own Kafka consumer (and dead-letter producer, when configured).
   * The buffer, its store and its sink stay the caller's to close, after this consumer.
   *
   * @param options where to read and how to apply backpressure
   * @param buffer the buffer the spans are offered to
   * @return the consumer, not running yet: see {@link #run()} and {@link #start(String)}
   */
  public static SpanConsumer create(SpanConsumerOptions options, SpanBuffer buffer) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(options.consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Producer<byte[], byte[]> deadLetters = null;
    if (options.deadLetterTopic() != null) {
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      deadLetters = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return new SpanConsumer(consumer, deadLetters, options, buffer);
  }

  /**
   * Runs the loop on a new thread.
   *
   * @param name the thread's name
   * @return the thread, started
   */
  public Thread start(String name) {
    Thread thread = new Thread(this, name);
    thread.start();
    return thread;
  }

  /**
   * Runs the loop until {@link #close()}; then drains, commits and closes the Kafka consumer. Once only.
   *
   * @throws FatalSinkException when the sink failed for good: the loop stopped by itself, flushing nothing more
   *     and committing only what was safe (see the class comment)
   */
  @Override
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a SpanConsumer runs once");
    }
    try {
      flushers.start(options.flushThreads(), Thread.currentThread().getName());
      consumer.subscribe(List.of(options.topic()), new Rebalance());
      log.info("consuming {} as group {}", options.topic(), options.groupId());
      while (!stopping) {
        cycle();
      }
      shutdown();
    } catch (RuntimeException | Error e) {
      log.error("consumer loop failed; flushing what this consumer holds before it stops", e);
      try {
        shutdown();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      flushers.stop();
      closeClients();
      stopped.countDown();
    }
    FatalSinkException failure = fatal.get();
    if (failure != null) {
      throw failure;
    }
  }

  /*
   * Steps, for the deterministic simulation of the service in the test sources: it drives the loop itself, on its own
   * thread, instead of run(), so that one seed replays exactly. With flushThreads(0) no thread is started and the
   * loop flushes between polls, so a step is the whole of one cycle. run() does the same in a loop, with its flusher
   * threads and its error handling; real use goes through run() only.
   */

  /** What {@link #run()} does before its loop; for a consumer without flusher threads only. */
  void subscribeForSteps() {
    if (options.flushThreads() != 0) {
      throw new IllegalStateException("flushThreads must be 0 to be driven in steps but was " + options.flushThreads());
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a SpanConsumer runs once");
    }
    consumer.subscribe(List.of(options.topic()), new Rebalance());
  }

  /** One cycle of {@link #run()}'s loop; false once the loop would stop (closed, or the sink failed for good). */
  boolean cycleOnce() {
    if (!stopping) {
      cycle();
    }
    return !stopping;
  }

  /** What {@link #run()} does after its loop: drains, commits and closes the Kafka consumer. */
  void shutdownForSteps() {
    try {
      shutdown();
    } finally {
      closeClients();
      stopped.countDown();
    }
  }

  /** Stops the loop and waits until it has drained, committed and closed; callable from any thread. */
  @Override
  public void close() {
    stopping = true;
    if (!started.compareAndSet(false, true)) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      closeClients();
      stopped.countDown();
    }
  }

  /**
   * Waits up to {@code timeout} for the loop to have stopped.
   *
   * @param timeout how long to wait at most
   * @param unit the unit of {@code timeout}
   * @return true when the loop has stopped, false when the time ran out first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  /** {@return a snapshot of the counters and gauges}; callable from any thread. */
  public ConsumerStats stats() {
    return new ConsumerStats(offers.offeredRecords(), commits.get(), acquireFailures.get() + offers.refusals(),
        skippedRecords.get(), flushers.cycles(), rejectedMessages.get(), rejectedSpans.get(), deadLetters.copied(),
        backpressure.pauses(), backpressure.resumes(), backpressure.paused(), lostPartitions.get(),
        assignedPartitions, lag);
  }

  /** {@return the loop's and the flushers' last signs of life}; callable from any thread. */
  public ConsumerHealth health() {
    return new ConsumerHealth(assignedPartitions, lastPollMillis == UNKNOWN ? null : Instant.ofEpochMilli(
        lastPollMillis), flushers.oldestBeat());
  }

  private void cycle() {
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = consumer.poll(options.pollTimeout());
      lastPollMillis = options.clock().millis();
      acquireNotHeld();
    } catch (NoOffsetForPartitionException e) {
      startWithoutCommittedOffset(e.partitions());
      return;
    } catch (OffsetOutOfRangeException e) {
      skipToLogStart(e.offsetOutOfRangePartitions());
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      offer(tp, records.records(tp));
    }
    deadLetters.awaitInvalid();
    commit();
    publishFlushTimes();
    if (!flushers.hasThreads()) {
      flushers.flushOnThisThread();
    }
    backpressure.apply(consumer, buffer.usage(), buffer.backedOffSegments(), owned, options.clock().millis());
  }

  /** Offers a partition's records; what the store took (or dead-lettered) becomes committable. */
  private void offer(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    OwnedPartition state = owned.computeIfAbsent(tp, this::newState);
    OptionalLong next = offers.offer(tp, state, records, () -> nowOrWallClock(tp, state, false));
    if (next.isPresent()) {
      state.nextOffset(next.getAsLong());
      pending.put(tp, new OffsetAndMetadata(next.getAsLong()));
    }
  }

  /** Partitions this group never committed: start where {@code auto.offset.reset} says. */
  private void startWithoutCommittedOffset(Set<TopicPartition> partitions) {
    log.info("no committed offsets for {}: starting at the {}", partitions,
        options.startAtEarliest() ? "beginning" : "end");
    if (options.startAtEarliest()) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  /**
   * Kafka deleted records this group had not read yet (retention), or the log was truncated below the position.
   * Either way they are gone: continue from what is left, and make the loss loud and counted, never silent (Kafka's
   * own reset would move the position without a trace).
   */
  private void skipToLogStart(Map<TopicPartition, Long> positions) {
    Map<TopicPartition, Long> starts = consumer.beginningOffsets(positions.keySet());
    Map<TopicPartition, Long> ends = consumer.endOffsets(positions.keySet());
    positions.forEach((tp, position) -> {
      long start = starts.getOrDefault(tp, 0L);
      long end = ends.getOrDefault(tp, start);
      if (position < start) {
        skippedRecords.addAndGet(start - position);
        log.error("{}: {} records (offsets {} to {}) were deleted from Kafka before this group read them; "
            + "continuing at {}", tp, start - position, position, start - 1, start);
        consumer.seek(tp, start);
      } else {
        log.error("{}: offset {} is past the log end {} (the log was truncated); continuing at {}", tp, position,
            end, end);
        consumer.seek(tp, end);
      }
    });
  }

  /**
   * Commits what is safe: with a durable store, every offset the store took; otherwise, per partition, up to the
   * oldest record whose span is not flushed yet, so that a crash reads again every span still buffered.
   */
  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = durableStore ? pending : watermarkOffsets();
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
      commits.incrementAndGet();
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
      pending.clear();
    } catch (KafkaException e) {
      // Left pending: committed with the next cycle's offsets; the spans are in the store meanwhile.
      log.warn("offset commit failed; retrying with the next cycle", e);
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> watermarkOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, OwnedPartition> e : owned.entrySet()) {
      TopicPartition tp = e.getKey();
      OptionalLong next = e.getValue().nextOffset();
      if (next.isEmpty()) {
        continue;
      }
      long offset = watermarks.committable(tp, next.getAsLong());
      if (offset > committed.getOrDefault(tp, UNKNOWN)) {
        offsets.put(tp, new OffsetAndMetadata(offset));
      }
    }
    return offsets;
  }

  /** Publishes each owned partition's time for whoever flushes it, computed here: only this thread may ask Kafka. */
  private void publishFlushTimes() {
    long totalLag = 0;
    for (Map.Entry<TopicPartition, OwnedPartition> e : owned.entrySet()) {
      TopicPartition tp = e.getKey();
      OwnedPartition state = e.getValue();
      totalLag += consumer.currentLag(tp).orElse(0);
      state.flush().flushAt(now(tp, state));
      flushers.publish(tp, state.flush());
    }
    lag = totalLag;
    if (!durableStore && fatal.get() == null) {
      orphans.publish(buffer.shards(), owned.keySet(), options.clock().millis());
    }
  }

  /** One flush of one shard; the caller holds the shard (the loop thread, or the flusher with its lock). */
  private boolean flushOne(TopicPartition tp, FlushedShard shard, Instant now) {
    FlushResult result;
    try {
      result = buffer.flush(tp.partition(), now);
    } catch (FatalSinkException failure) {
      stopFor(failure);
      return false;
    } catch (RuntimeException failure) {
      log.warn("flush of shard {} failed; retrying next cycle", tp.partition(), failure);
      shard.failed();
      return false;
    }
    release(tp, result);
    report(tp, result);
    shard.flushed(result, buffer.config().maxFlushSegments());
    return result.segments() > 0;
  }

  /** Releases the records of the spans a flush completed (a durable store holds none). */
  private void release(TopicPartition tp, FlushResult result) {
    if (!durableStore) {
      watermarks.release(tp, result.completed());
    }
  }

  /** The sink can send nothing any more: stop, flushing nothing more and committing only what is flushed. */
  private void stopFor(FatalSinkException failure) {
    if (fatal.compareAndSet(null, failure)) {
      log.error("stopping: {}", Printable.escape(String.valueOf(failure.getMessage())));
    }
    stopping = true;
  }

  private void report(TopicPartition tp, FlushResult result) {
    for (SegmentFailure failure : result.failed()) {
      if (failure.attempts() == 1) {
        log.warn("shard {}: flushing segment {} failed ({}); it is tried again after a back-off, the rest of the "
            + "shard flushes meanwhile", tp.partition(), failure.key(), Printable.escape(failure.error().toString()));
      }
      log.debug("shard {}: segment {} failed {} times", tp.partition(), failure.key(), failure.attempts(),
          failure.error());
    }
    if (!result.rejected().isEmpty()) {
      for (Outcome.Rejected rejected : result.rejected()) {
        rejectedMessages.incrementAndGet();
        rejectedSpans.addAndGet(rejected.spans());
        log.warn("shard {}: sink refused chunk {} of {} generation {} ({} spans): {}", tp.partition(),
            rejected.chunkIndex(), rejected.segment(), rejected.generation(), rejected.spans(), rejected.reason());
      }
    }
    if (result.retries() > 0) {
      log.warn("shard {}: {} segments could not be sent and stay sealed for a retry", tp.partition(),
          result.retries());
    }
  }

  /** The partition's time (see {@link io.segbuf.kafka.internal.PartitionClock}); null when it has none yet. */
  private @Nullable Instant now(TopicPartition tp, OwnedPartition state) {
    return state.clock().now(consumer.currentLag(tp), inputHeld(state), options.clock());
  }

  /**
   * The partition's time, or the wall clock when it has none yet, for a flush when {@code flushing} and else for its
   * batch: a batch the store refused is offered at its own event time once taken.
   */
  private Instant nowOrWallClock(TopicPartition tp, OwnedPartition state, boolean flushing) {
    boolean held = flushing ? inputHeld(state) : backpressure.pausedForMemory();
    return state.clock().nowOrWallClock(consumer.currentLag(tp), held, options.clock());
  }

  /**
   * Whether the partition's event time cannot move: every partition is paused for memory, or the store refused its
   * batch (read again and again, it brings no later timestamp until the store takes it). Its segments then flush at
   * the wall clock: at a time that stands still, a segment backed off after a failed flush would never be tried
   * again, and the memory its flush frees is what lets the store take the batch.
   */
  private boolean inputHeld(OwnedPartition state) {
    return backpressure.pausedForMemory() || state.backoff().refusals() > 0;
  }

  /**
   * Lets go of partitions: flushes (and with drainOnRevoke drains) what this store holds for them unless {@code
   * flush} is false, commits what is safe when {@code commit}, and forgets them.
   */
  private void release(Collection<TopicPartition> partitions, boolean flush, boolean commit) {
    List<TopicPartition> released = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      OwnedPartition state = owned.get(tp);
      if (state == null) {
        continue;
      }
      released.add(tp);
      Instant now = nowOrWallClock(tp, state, true);
      flushers.withdraw(tp, state.flush(), () -> lastFlush(tp, flush, now));
      if (!durableStore && watermarks.holds(tp)) {
        // Not committed past them: whoever reads the partition next reads them again.
        log.warn("{}: spans not flushed before the partition was released; its offsets are committed only up "
            + "to the oldest of them, and they are flushed again at the wall clock until they are out", tp);
      }
    }
    if (commit) {
      commit();
    }
    for (TopicPartition tp : released) {
      owned.remove(tp);
      pending.remove(tp);
      committed.remove(tp);
      watermarks.released(tp);
    }
    assignedPartitions = owned.size();
  }

  /** A released partition's last flush (or drain) unless {@code flush} is false; then the store lets its shard go. */
  private void lastFlush(TopicPartition tp, boolean flush, Instant now) {
    try {
      if (flush) {
        FlushResult result = options.drainOnRevoke()
            ? buffer.drain(tp.partition(), now)
            : buffer.flush(tp.partition(), now);
        release(tp, result);
        report(tp, result);
        log.info("released {}: flushed {} segments ({} spans)", tp, result.segments(), result.spans());
      }
    } catch (FatalSinkException e) {
      stopFor(e);
    } catch (RuntimeException e) {
      log.error("releasing {} failed: its buffered spans stay in the store", tp, e);
    } finally {
      buffer.release(tp.partition());
    }
  }

  /**
   * Takes the partition's shard over in the store before it is read. When that fails the store refuses the shard
   * (its batches are read again, its flushes fail) until {@link #acquireNotHeld} succeeds after a later poll, tried
   * after the same back-off as a refused batch, so that a store down is not hammered.
   */
  private void acquire(TopicPartition tp, OwnedPartition state) {
    RefusalBackoff takeovers = state.takeovers();
    try {
      buffer.acquire(tp.partition());
      if (takeovers.refusals() > 0) {
        log.info("took over {} in the store after {} failures", tp, takeovers.refusals());
      }
      takeovers.taken();
    } catch (RuntimeException e) {
      acquireFailures.incrementAndGet();
      if (takeovers.refused(options.clock().millis()) == 1) {
        log.error("taking over {} in the store failed; tried again after a poll until it succeeds", tp, e);
      }
    }
  }

  /**
   * Takes over again, right after a poll returned with them still assigned, the owned partitions whose shards the
   * store does not hold: their takeover failed, or another process took them over since (a zombie that had not learned
   * yet that it lost them). Only here, on the polling thread, never on a flusher's: a poll that returned without
   * taking a partition away is the group's word that this consumer owns it, so that a shard is taken only by the
   * member Kafka's latest generation it knows of gave it to. A zombie may still take a shard back once before its poll
   * learns it lost the partition; the owner then takes it again after its own next poll, and the zombie, once told,
   * lets go. A partition a flusher is busy with waits for the next poll.
   */
  private void acquireNotHeld() {
    long now = options.clock().millis();
    for (Map.Entry<TopicPartition, OwnedPartition> e : owned.entrySet()) {
      TopicPartition tp = e.getKey();
      OwnedPartition state = e.getValue();
      if (!buffer.holds(tp.partition()) && !state.takeovers().waiting(now)) {
        flushers.unlessFlushing(state.flush(), () -> {
          if (state.takeovers().refusals() == 0) {
            log.warn("{}: the store no longer holds its shard (another process took it over); taking it over again",
                tp);
          }
          acquire(tp, state);
        });
      }
    }
  }

  private void shutdown() {
    flushers.stop();
    boolean flush = fatal.get() == null;
    log.info("shutting down: releasing {} partitions{}", owned.size(), flush ? "" : " without flushing");
    release(new ArrayList<>(owned.keySet()), flush, true);
  }

  private void closeClients() {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.warn("closing the Kafka consumer failed", e);
    }
    deadLetters.close();
  }

  /** Owned partitions, for tests and logs. */
  Set<Integer> ownedShards() {
    Set<Integer> shards = new TreeSet<>();
    owned.keySet().forEach(tp -> shards.add(tp.partition()));
    return shards;
  }

  private OwnedPartition newState(TopicPartition tp) {
    return new OwnedPartition(watermarks.assigned(tp));
  }

  /** Runs inside poll, on the loop thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      log.info("revoked {}", partitions);
      release(partitions, fatal.get() == null, true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another consumer may own them already: their offsets cannot be committed. A local store flushes what only
      // it holds; a durable one leaves it to the new owner, who sees it, rather than flush beside it.
      log.warn("lost {}", partitions);
      release(partitions, !durableStore && fatal.get() == null, false);
      lostPartitions.addAndGet(partitions.size());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      log.info("assigned {}", partitions);
      for (TopicPartition tp : partitions) {
        orphans.assigned(tp);
        acquire(tp, owned.computeIfAbsent(tp, SpanConsumer.this::newState));
      }
      assignedPartitions = owned.size();
    }
  }
}
