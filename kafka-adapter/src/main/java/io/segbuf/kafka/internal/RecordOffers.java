package io.segbuf.kafka.internal;

import io.segbuf.OfferResult;
import io.segbuf.Outcome;
import io.segbuf.SpanBuffer;
import io.segbuf.spi.StoreUnavailableException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the records polled from a partition to the store, shard = partition (docs/design.md §5, §7). Each record
 * gets a position of its own; with a store that is not durable its record is held until its span is flushed
 * ({@link HeldRecords}). Invalid spans are copied to the dead-letter topic. Nothing is acknowledged that is not
 * stored: a batch the store refuses is read again after a back-off ({@link RefusalBackoff}), or, after {@code
 * deadLetterAfterRefusals} refusals in a row and with a dead-letter topic, offered span by span, the spans the store
 * still refuses copied to the dead-letter topic. Polling thread only; the counters may be read from any thread.
 */
public final class RecordOffers {
  private static final Logger log = LoggerFactory.getLogger(RecordOffers.class);

  private final Consumer<?, ?> consumer;
  private final SpanBuffer buffer;
  /** A durable store holds the spans for good once it took them: no record is held for it. */
  private final boolean durableStore;
  private final DeadLetters deadLetters;
  private final int deadLetterAfterRefusals;
  private final Clock clock;
  /** The next position given to a record offered. */
  private long nextSeq;
  private final AtomicLong offeredRecords = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  public RecordOffers(Consumer<?, ?> consumer, SpanBuffer buffer, DeadLetters deadLetters,
      int deadLetterAfterRefusals, Clock clock) {
    this.consumer = consumer;
    this.buffer = buffer;
    this.durableStore = buffer.durable();
    this.deadLetters = deadLetters;
    this.deadLetterAfterRefusals = deadLetterAfterRefusals;
    this.clock = clock;
  }

  /**
   * Offers {@code records}, polled from {@code tp} in order, at the partition's time ({@code now}, asked once its
   * clock has read them). Returns the offset to commit up to as far as the store is concerned (after the last record
   * stored or dead-lettered), or empty when the batch is to be read again: Kafka's position is moved back to it.
   */
  public OptionalLong offer(TopicPartition tp, OwnedPartition partition,
      List<ConsumerRecord<byte[], byte[]>> records, Supplier<Instant> now) {
    if (partition.backoff().waiting(clock.millis())) {
      // fetched before the partition was paused for its back-off: read again once it is over
      consumer.seek(tp, records.get(0).offset());
      return OptionalLong.empty();
    }
    List<byte[]> values = new ArrayList<>(records.size());
    long wallClock = clock.millis();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      values.add(value(r));
      partition.clock().read(r.timestamp(), wallClock);
    }
    long firstSeq = take(records.size());
    hold(partition, firstSeq, records);
    OfferResult result;
    try {
      result = buffer.offer(tp.partition(), values, positions(firstSeq, records.size()), now.get());
    } catch (RuntimeException e) {
      unhold(partition, firstSeq, records.size(), null);
      return refused(tp, partition, records, now, e);
    }
    return OptionalLong.of(offered(tp, partition, records, result, firstSeq));
  }

  private static byte[] value(ConsumerRecord<byte[], byte[]> r) {
    byte[] value = r.value();
    return value == null ? new byte[0] : value;
  }

  /**
   * Holds the records' spans before the store has them (store not durable): a flusher may complete a span as soon
   * as it is stored, before offer returns, and its release must find the record held.
   */
  private void hold(OwnedPartition partition, long firstSeq, List<ConsumerRecord<byte[], byte[]>> records) {
    if (!durableStore) {
      partition.held().hold(firstSeq, records.size(), records.get(0).offset(), records.size());
    }
  }

  /** Lets go of the records whose span the store did not take (invalid, duplicate; all when result is null). */
  private void unhold(OwnedPartition partition, long firstSeq, int records, @Nullable OfferResult result) {
    if (durableStore) {
      return;
    }
    for (int i = 0; i < records; i++) {
      if (result == null || result.outcomes().get(i) != Outcome.BUFFERED) {
        partition.held().release(firstSeq + i);
      }
    }
  }

  /** Positions for the next {@code count} records; never reused, even for a batch the store refused in part. */
  private long take(int count) {
    long first = nextSeq;
    nextSeq += count;
    return first;
  }

  private static long[] positions(long firstSeq, int count) {
    long[] positions = new long[count];
    for (int i = 0; i < count; i++) {
      positions[i] = firstSeq + i;
    }
    return positions;
  }

  /** The store took the records: the offset after the last of them. */
  private long offered(TopicPartition tp, OwnedPartition partition, List<ConsumerRecord<byte[], byte[]>> records,
      OfferResult result, long firstSeq) {
    if (result.invalid() > 0) {
      copyInvalid(tp, records, result);
    }
    unhold(partition, firstSeq, records.size(), result);
    offeredRecords.addAndGet(records.size());
    RefusalBackoff backoff = partition.backoff();
    if (backoff.refusals() > 0) {
      log.info("{}: the store took the batch at offset {} after {} refusals", tp, records.get(0).offset(),
          backoff.refusals());
      backoff.taken();
    }
    return records.get(records.size() - 1).offset() + 1;
  }

  /**
   * The store refused a batch: nothing is acknowledged that is not stored, so it is read again after a back-off
   * (the partition alone is paused meanwhile). After {@code deadLetterAfterRefusals} refusals in a row, with a
   * dead-letter topic, its spans are offered one at a time and those the store still refuses are dead-lettered;
   * when the store refuses every one of them, and one for a reason of its own, it is the store that fails, not the
   * spans, and the batch waits.
   */
  private OptionalLong refused(TopicPartition tp, OwnedPartition partition,
      List<ConsumerRecord<byte[], byte[]>> records, Supplier<Instant> now, RuntimeException error) {
    refusals.incrementAndGet();
    int refusalsInARow = partition.backoff().refused(clock.millis());
    long first = records.get(0).offset();
    if (refusalsInARow == 1) {
      log.warn("{}: the store refused {} records at offset {} ({}); reading them again with back-off", tp,
          records.size(), first, Printable.escape(error.toString()));
    }
    log.debug("{}: store refusal {} of the batch at offset {}", tp, refusalsInARow, first, error);
    if (deadLetters.enabled() && refusalsInARow >= deadLetterAfterRefusals) {
      OptionalLong next = offerOneByOne(tp, partition, records, now);
      if (next.isPresent()) {
        return next;
      }
    }
    consumer.seek(tp, first);
    return OptionalLong.empty();
  }

  /**
   * Offers each record alone; dead-letters those the store refuses, unless it refuses all and one of them for a reason
   * of its own (then empty). Returns the offset after the last record stored or dead-lettered before the first that is
   * neither.
   */
  private OptionalLong offerOneByOne(TopicPartition tp, OwnedPartition partition,
      List<ConsumerRecord<byte[], byte[]>> records, Supplier<Instant> now) {
    Map<Integer, RuntimeException> refusedSpans = new LinkedHashMap<>();
    List<Integer> taken = new ArrayList<>();
    List<OfferResult> results = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      long seq = take(1);
      hold(partition, seq, List.of(r));
      try {
        results.add(buffer.offer(tp.partition(), List.of(value(r)), new long[] {seq}, now.get()));
        taken.add(i);
        seqs.add(seq);
      } catch (RuntimeException e) {
        unhold(partition, seq, 1, null);
        refusedSpans.put(i, e);
      }
    }
    if (taken.isEmpty() && refusedSpans.values().stream().anyMatch(e -> e instanceof StoreUnavailableException)) {
      return OptionalLong.empty();
    }
    // The first record taken ends the refusals of the batch (offered): what the store refuses now is dead-lettered.
    for (int k = 0; k < taken.size(); k++) {
      offered(tp, partition, List.of(records.get(taken.get(k))), results.get(k), seqs.get(k));
    }
    long next = records.get(records.size() - 1).offset() + 1;
    for (Map.Entry<Integer, RuntimeException> refused : refusedSpans.entrySet()) {
      ConsumerRecord<byte[], byte[]> r = records.get(refused.getKey());
      // A store that refused for a reason of its own (away, full, the shard taken) may take the span later: a copy
      // would be committed and the span never flushed.
      if (refused.getValue() instanceof StoreUnavailableException || !deadLetters.copyRefused(tp, r,
          refused.getValue())) {
        // Neither stored nor copied: read again from it (the spans taken after it come again as duplicates).
        next = r.offset();
        consumer.seek(tp, next);
        break;
      }
    }
    if (taken.isEmpty() && next > records.get(0).offset()) {
      partition.backoff().taken(); // copied, the first span refused for itself ends the refusals as one taken does
    }
    return OptionalLong.of(next);
  }

  private void copyInvalid(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, OfferResult result) {
    for (int i = 0; i < records.size(); i++) {
      if (!(result.outcomes().get(i) instanceof Outcome.Invalid)) {
        continue;
      }
      Outcome.Invalid invalid = (Outcome.Invalid) result.outcomes().get(i);
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      log.debug("invalid span at {}@{} ({}): {}", tp, r.offset(), invalid.reason(),
          Printable.escape(invalid.detail()));
      deadLetters.copyInvalid(tp, r, invalid.reason().name(), invalid.detail());
    }
  }

  /** Records the store took (and invalid ones it saw), for stats. */
  public long offeredRecords() {
    return offeredRecords.get();
  }

  /** Batches (or, one by one, spans) the store refused, for stats. */
  public long refusals() {
    return refusals.get();
  }
}
