package io.segbuf.kafka;

import io.segbuf.FlushResult;
import io.segbuf.OfferResult;
import io.segbuf.Outcome;
import io.segbuf.SpanBuffer;
import io.segbuf.StoreUsage;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ingest-spans} consumer loop (DESIGN.md §5): reads spans, offers them to a {@link SpanBuffer} with
 * shard = partition number, commits offsets once the store holds them, and flushes the partitions it owns.
 *
 * <p>The polling thread runs cycles: poll; per partition, offer the records' values at the partition's time;
 * commit; publish each owned partition's time; apply backpressure. Flusher threads flush each owned partition at
 * its published time, a shard at a time under the shard's lock (so several threads share the partitions and never
 * flush one shard at once), and waiting for the sink never delays polling ({@link
 * SpanConsumerOptions#flushThreads()}; with none, the polling thread flushes between polls). A partition's time is
 * its event time
 * (the largest record timestamp seen) until it is caught up (no lag as of the last poll), then the wall clock
 * (never going back). Backpressure pauses every owned partition, while polling goes on, when the store's memory
 * fraction or buffered bytes reach their limit or a shard's flush has been at {@code maxFlushSegments} (or failing)
 * for {@code laggingFlushCycles} cycles in a row; it resumes once the store is below {@value
 * SpanConsumerOptions#RESUME_FACTOR} of the limit and no shard lags. While paused for memory, partitions flush at
 * the wall clock, since their event time cannot move. Nothing is dropped: a batch the store refuses is read again;
 * a segment the sink fails to take stays sealed and is sent again.
 *
 * <p>{@link #run()} runs the loop on the calling thread until {@link #close()} is called from another; then it
 * stops polling, drains (or hands over, per {@link SpanConsumerOptions#drainOnRevoke()}) the owned partitions,
 * commits and closes the Kafka consumer. {@link #stats()} may be called from any thread.
 */
public final class SpanConsumer implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpanConsumer.class);
  private static final long UNKNOWN = Long.MIN_VALUE;
  static final String INVALID_REASON = "invalid_reason";
  static final String INVALID_DETAIL = "invalid_detail";
  static final String SOURCE_PARTITION = "source_partition";
  static final String SOURCE_OFFSET = "source_offset";

  private final Consumer<byte[], byte[]> consumer;
  private final @Nullable Producer<byte[], byte[]> deadLetters;
  private final SpanConsumerOptions options;
  private final SpanBuffer buffer;

  /** Owned partitions and their clocks; loop thread only. */
  private final Map<TopicPartition, PartitionState> owned = new LinkedHashMap<>();
  /** Offsets offered but not committed yet; loop thread only. */
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  /** Partitions the flusher threads flush, with the time the loop thread published for each. */
  private final Map<TopicPartition, PartitionState> flushing = new ConcurrentHashMap<>();
  /** Started and stopped by the loop thread. */
  private final List<Thread> flushers = new ArrayList<>();
  private volatile boolean flusherStopping;
  private boolean pausedForMemory;
  private boolean pausedForLag;

  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean stopping;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private final AtomicLong polledRecords = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong storeFailures = new AtomicLong();
  private final AtomicLong skippedRecords = new AtomicLong();
  private final AtomicLong flushCycles = new AtomicLong();
  private final AtomicLong rejectedMessages = new AtomicLong();
  private final AtomicLong rejectedSpans = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicLong resumes = new AtomicLong();
  private volatile boolean paused;
  private volatile int assignedPartitions;
  private volatile long lag;

  SpanConsumer(Consumer<byte[], byte[]> consumer, @Nullable Producer<byte[], byte[]> deadLetters,
      SpanConsumerOptions options, SpanBuffer buffer) {
    this.consumer = consumer;
    this.deadLetters = deadLetters;
    this.options = options;
    this.buffer = buffer;
  }

  /**
   * A consumer loop over {@code buffer}, with its own Kafka consumer (and dead-letter producer, when configured).
   * The buffer, its store and its sink stay the caller's to close, after this consumer.
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

  /** Runs the loop on a new thread named {@code name}. */
  public Thread start(String name) {
    Thread thread = new Thread(this, name);
    thread.start();
    return thread;
  }

  /** Runs the loop until {@link #close()}; then drains, commits and closes the Kafka consumer. Once only. */
  @Override
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a SpanConsumer runs once");
    }
    try {
      for (int i = 0; i < options.flushThreads(); i++) {
        Thread thread = new Thread(this::flushLoop, Thread.currentThread().getName() + "-flusher-" + i);
        thread.setDaemon(true);
        flushers.add(thread);
        thread.start();
      }
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
      stopFlushers();
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

  /** Waits up to {@code timeout} for the loop to have stopped; true when it has. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  public ConsumerStats stats() {
    return new ConsumerStats(polledRecords.get(), commits.get(), storeFailures.get(), skippedRecords.get(),
        flushCycles.get(), rejectedMessages.get(), rejectedSpans.get(), deadLettered.get(), pauses.get(),
        resumes.get(), paused, assignedPartitions, lag);
  }

  private void cycle() {
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = consumer.poll(options.pollTimeout());
    } catch (NoOffsetForPartitionException e) {
      startWithoutCommittedOffset(e.partitions());
      return;
    } catch (OffsetOutOfRangeException e) {
      skipToLogStart(e.offsetOutOfRangePartitions());
      return;
    }
    List<Future<RecordMetadata>> deadLetterAcks = new ArrayList<>();
    for (TopicPartition tp : records.partitions()) {
      offer(tp, records.records(tp), deadLetterAcks);
    }
    awaitDeadLetters(deadLetterAcks);
    commit();
    publishFlushTimes();
    if (flushers.isEmpty()) {
      flushOwned();
    }
    applyBackpressure();
  }

  private void offer(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records,
      List<Future<RecordMetadata>> deadLetterAcks) {
    PartitionState state = owned.computeIfAbsent(tp, p -> new PartitionState());
    List<byte[]> values = new ArrayList<>(records.size());
    long eventTime = state.eventTimeMillis;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      byte[] value = r.value();
      values.add(value == null ? new byte[0] : value);
      eventTime = Math.max(eventTime, r.timestamp());
    }
    state.eventTimeMillis = eventTime;
    OfferResult result;
    try {
      result = buffer.offer(tp.partition(), values, nowOrWallClock(tp, state));
    } catch (RuntimeException e) {
      // Nothing is acknowledged that is not stored: read the batch again on the next poll.
      storeFailures.incrementAndGet();
      log.warn("store refused {} records of {}; reading them again", records.size(), tp, e);
      consumer.seek(tp, records.get(0).offset());
      return;
    }
    if (result.invalid() > 0) {
      reportInvalid(tp, records, result, deadLetterAcks);
    }
    pending.put(tp, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
    polledRecords.addAndGet(records.size());
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

  private void reportInvalid(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, OfferResult result,
      List<Future<RecordMetadata>> deadLetterAcks) {
    for (int i = 0; i < records.size(); i++) {
      if (!(result.outcomes().get(i) instanceof Outcome.Invalid)) {
        continue;
      }
      Outcome.Invalid invalid = (Outcome.Invalid) result.outcomes().get(i);
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      log.debug("invalid span at {}@{} ({}): {}", tp, r.offset(), invalid.reason(), invalid.detail());
      String topic = options.deadLetterTopic();
      if (deadLetters != null && topic != null) {
        ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(topic, null, r.key(), r.value());
        copy.headers()
            .add(new RecordHeader(INVALID_REASON, ascii(invalid.reason().name())))
            .add(new RecordHeader(INVALID_DETAIL, invalid.detail().getBytes(StandardCharsets.UTF_8)))
            .add(new RecordHeader(SOURCE_PARTITION, ascii(Integer.toString(tp.partition()))))
            .add(new RecordHeader(SOURCE_OFFSET, ascii(Long.toString(r.offset()))));
        deadLetterAcks.add(deadLetters.send(copy));
      }
    }
  }

  private void awaitDeadLetters(List<Future<RecordMetadata>> acks) {
    for (Future<RecordMetadata> ack : acks) {
      try {
        ack.get();
        deadLettered.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        log.error("an invalid span could not be copied to {}; it is counted as invalid", options.deadLetterTopic(),
            e.getCause());
      }
    }
  }

  private void commit() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(pending);
      commits.incrementAndGet();
      pending.clear();
    } catch (KafkaException e) {
      // Left pending: committed with the next cycle's offsets; the spans are in the store meanwhile.
      log.warn("offset commit failed; retrying with the next cycle", e);
    }
  }

  /** Flushes every owned partition at its published time on the loop thread (no flusher threads). */
  private void flushOwned() {
    flushCycles.incrementAndGet();
    for (Map.Entry<TopicPartition, PartitionState> e : owned.entrySet()) {
      long at = e.getValue().flushAtMillis;
      if (at != UNKNOWN) {
        flushOne(e.getKey(), e.getValue(), Instant.ofEpochMilli(at));
      }
    }
  }

  /** Publishes each owned partition's time for whoever flushes it, computed here: only this thread may ask Kafka. */
  private void publishFlushTimes() {
    long totalLag = 0;
    for (Map.Entry<TopicPartition, PartitionState> e : owned.entrySet()) {
      TopicPartition tp = e.getKey();
      PartitionState state = e.getValue();
      totalLag += consumer.currentLag(tp).orElse(0);
      Instant now = now(tp, state);
      state.flushAtMillis = now == null ? UNKNOWN : now.toEpochMilli();
      flushing.putIfAbsent(tp, state);
    }
    lag = totalLag;
  }

  /** One flush of one shard; the caller holds the shard (the loop thread, or the flusher with its lock). */
  private boolean flushOne(TopicPartition tp, PartitionState state, Instant now) {
    FlushResult result;
    try {
      result = buffer.flush(tp.partition(), now);
    } catch (RuntimeException failure) {
      log.warn("flush of shard {} failed; retrying next cycle", tp.partition(), failure);
      state.laggingCycles++;
      return false;
    }
    report(tp, result);
    boolean lagging =
        result.segments() + result.retries() >= buffer.config().maxFlushSegments() || result.retries() > 0;
    state.laggingCycles = lagging ? state.laggingCycles + 1 : 0;
    return result.segments() > 0;
  }

  /** A flusher thread: flushes every published partition at its time that no other thread is flushing. */
  private void flushLoop() {
    while (!flusherStopping) {
      boolean flushed = false;
      for (Map.Entry<TopicPartition, PartitionState> e : flushing.entrySet()) {
        PartitionState state = e.getValue();
        long at = state.flushAtMillis;
        if (at == UNKNOWN || state.released || !state.flushLock.tryLock()) {
          continue;
        }
        try {
          if (!state.released) {
            flushed |= flushOne(e.getKey(), state, Instant.ofEpochMilli(at));
          }
        } finally {
          state.flushLock.unlock();
        }
      }
      flushCycles.incrementAndGet();
      if (!flushed) {
        LockSupport.parkNanos(options.pollTimeout().toNanos());
      }
    }
  }

  private void stopFlushers() {
    flusherStopping = true;
    flushers.forEach(LockSupport::unpark);
    try {
      for (Thread thread : flushers) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushers.clear();
  }

  private void report(TopicPartition tp, FlushResult result) {
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

  private void applyBackpressure() {
    StoreUsage usage = buffer.usage();
    double fraction = usage.memoryFraction();
    long bytesLimit = options.pauseAboveBufferedBytes();
    boolean memoryHigh = fraction >= options.pauseAboveMemoryFraction()
        || (bytesLimit > 0 && usage.bytes() >= bytesLimit);
    boolean memoryLow = fraction < options.pauseAboveMemoryFraction() * SpanConsumerOptions.RESUME_FACTOR
        && (bytesLimit == 0 || usage.bytes() < bytesLimit * SpanConsumerOptions.RESUME_FACTOR);
    boolean lagging = false;
    for (PartitionState state : owned.values()) {
      lagging |= state.laggingCycles >= options.laggingFlushCycles();
    }
    // Pausing helps only while flushes can free memory: a store that holds no spans and is still full stays full
    // however long input waits, so input goes on (and a write the store refuses is read again).
    boolean flushesCanFree = usage.spans() > 0;
    pausedForMemory = flushesCanFree && (pausedForMemory ? !memoryLow : memoryHigh);
    pausedForLag = lagging;
    boolean shouldPause = pausedForMemory || pausedForLag;
    if (shouldPause) {
      // Again every cycle: partitions assigned since the pause start unpaused.
      consumer.pause(consumer.assignment());
      if (!paused) {
        paused = true;
        pauses.incrementAndGet();
        log.info("pausing input: store {} bytes ({}% of memory), flush lagging: {}", usage.bytes(),
            Math.round(fraction * 100), lagging);
      }
    } else if (paused) {
      consumer.resume(consumer.paused());
      paused = false;
      resumes.incrementAndGet();
      log.info("resuming input: store {} bytes", usage.bytes());
    }
  }

  /**
   * The partition's time: its event time until it is caught up, then the wall clock (or while paused for memory,
   * when the event time cannot move); null when neither is known yet.
   */
  private @Nullable Instant now(TopicPartition tp, PartitionState state) {
    OptionalLong partitionLag = consumer.currentLag(tp);
    boolean caughtUp = partitionLag.isPresent() && partitionLag.getAsLong() == 0;
    if (caughtUp || pausedForMemory) {
      return Instant.ofEpochMilli(Math.max(state.eventTimeMillis, options.clock().millis()));
    }
    return state.eventTimeMillis == UNKNOWN ? null : Instant.ofEpochMilli(state.eventTimeMillis);
  }

  private Instant nowOrWallClock(TopicPartition tp, PartitionState state) {
    Instant now = now(tp, state);
    return now != null ? now : options.clock().instant();
  }

  /** Drains or flushes the partitions (per drainOnRevoke), commits their offsets and forgets them. */
  private void release(Collection<TopicPartition> partitions, boolean commit) {
    for (TopicPartition tp : partitions) {
      PartitionState state = owned.remove(tp);
      if (state == null) {
        continue;
      }
      Instant now = nowOrWallClock(tp, state);
      state.released = true;
      state.flushLock.lock(); // waits for a flush of this shard in progress on a flusher thread
      try {
        FlushResult result = options.drainOnRevoke()
            ? buffer.drain(tp.partition(), now)
            : buffer.flush(tp.partition(), now);
        report(tp, result);
        log.info("released {}: flushed {} segments ({} spans)", tp, result.segments(), result.spans());
      } catch (RuntimeException e) {
        log.error("releasing {} failed: its buffered spans stay in the store", tp, e);
      } finally {
        flushing.remove(tp);
        buffer.release(tp.partition());
        state.flushLock.unlock();
      }
    }
    if (options.drainOnRevoke() && !partitions.isEmpty()) {
      long left = buffer.usage().spans();
      if (left > 0 && owned.isEmpty()) {
        // A local store is gone with this process: make the loss loud rather than silent.
        log.error("{} spans could not be flushed before their partitions were released; the sink kept failing",
            left);
      }
    }
    if (commit) {
      commit();
    } else {
      pending.keySet().removeAll(partitions);
    }
    assignedPartitions = owned.size();
  }

  /**
   * Takes the partition's shard over in the store before it is read. When that fails the store takes the shard
   * over at its first use instead: offers fail (and are read again) until it can.
   */
  private void acquire(TopicPartition tp) {
    try {
      buffer.acquire(tp.partition());
    } catch (RuntimeException e) {
      storeFailures.incrementAndGet();
      log.error("taking over {} in the store failed; retried when it is first offered to", tp, e);
    }
  }

  private void shutdown() {
    stopFlushers();
    log.info("shutting down: releasing {} partitions", owned.size());
    release(new ArrayList<>(owned.keySet()), true);
  }

  private void closeClients() {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.warn("closing the Kafka consumer failed", e);
    }
    if (deadLetters != null) {
      deadLetters.close();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Owned partitions, for tests and logs. */
  Set<Integer> ownedShards() {
    Set<Integer> shards = new TreeSet<>();
    owned.keySet().forEach(tp -> shards.add(tp.partition()));
    return shards;
  }

  /** A partition's clock and flush health; loop thread only. */
  private static final class PartitionState {
    long eventTimeMillis = UNKNOWN;
    /** Written by the loop thread, read by the flusher. */
    volatile long flushAtMillis = UNKNOWN;
    volatile boolean released;
    /** Written by whichever thread flushes the shard. */
    volatile int laggingCycles;
    /** Held while the shard is flushed: at most one thread flushes a shard at a time. */
    final ReentrantLock flushLock = new ReentrantLock();
  }

  /** Runs inside poll, on the loop thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      log.info("revoked {}", partitions);
      release(partitions, true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another consumer may own them already: their offsets cannot be committed; flush what this store holds.
      log.warn("lost {}", partitions);
      release(partitions, false);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      log.info("assigned {}", partitions);
      for (TopicPartition tp : partitions) {
        acquire(tp);
        owned.putIfAbsent(tp, new PartitionState());
      }
      assignedPartitions = owned.size();
    }
  }
}
