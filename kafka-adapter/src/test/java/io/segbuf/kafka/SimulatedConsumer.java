package io.segbuf.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * One group member's Kafka consumer over a {@link SimulatedKafka}: what {@link SpanConsumer} calls is answered
 * from the simulated logs and group (MockConsumer answers the rest, and returns records only once, so it cannot
 * read a log again after a seek). Assignment changes the simulation decides are applied inside the next poll, with
 * the rebalance listener's callbacks, as Kafka's cooperative protocol does: lost partitions, then revoked ones (the
 * member still owns them during the callback, so it may commit them), then assigned ones, read from the group's
 * committed offset. Each poll returns a batch of random size from the partitions not paused, in random order.
 */
final class SimulatedConsumer extends MockConsumer<byte[], byte[]> {
  private final SimulatedKafka kafka;
  private final Random random;
  private final int maxPollRecords;
  private @Nullable ConsumerRebalanceListener listener;
  /** The assignment, with each partition's position. */
  private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
  private final Set<TopicPartition> pausedPartitions = new HashSet<>();
  private final Set<TopicPartition> toLose = new LinkedHashSet<>();
  private final Set<TopicPartition> toRevoke = new LinkedHashSet<>();
  private final Set<TopicPartition> toAssign = new LinkedHashSet<>();
  private boolean clientClosed;

  SimulatedConsumer(SimulatedKafka kafka, Random random, int maxPollRecords) {
    super("earliest");
    this.kafka = kafka;
    this.random = random;
    this.maxPollRecords = maxPollRecords;
  }

  /** The group gave {@code tp} to this member: assigned at its next poll. */
  void assignLater(TopicPartition tp) {
    kafka.own(tp, this);
    toAssign.add(tp);
  }

  /** The group takes {@code tp} back: revoked at the next poll, then owned by nobody until assigned again. */
  void revokeLater(TopicPartition tp) {
    toRevoke.add(tp);
  }

  /** This member's session timed out: {@code tp} is no longer its own now, and it learns so at its next poll. */
  void loseNow(TopicPartition tp) {
    kafka.own(tp, null);
    toRevoke.remove(tp);
    toLose.add(tp);
  }

  /**
   * Whether this member lost {@code tp} and has not learned it yet, still holding it as assigned: a zombie of it until
   * its next poll.
   */
  synchronized boolean losing(TopicPartition tp) {
    return toLose.contains(tp) && positions.containsKey(tp);
  }

  /** Partitions with a change this member has not seen yet. */
  boolean changing(TopicPartition tp) {
    return toLose.contains(tp) || toRevoke.contains(tp) || toAssign.contains(tp);
  }

  @Override
  public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
    listener = callback;
  }

  @Override
  public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    checkOpen();
    rebalance();
    List<TopicPartition> fetchable = new ArrayList<>(positions.keySet());
    fetchable.removeAll(pausedPartitions);
    java.util.Collections.shuffle(fetchable, random);
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> batch = new HashMap<>();
    int budget = 1 + random.nextInt(maxPollRecords);
    for (TopicPartition tp : fetchable) {
      if (budget == 0) {
        break;
      }
      List<ConsumerRecord<byte[], byte[]>> records = kafka.read(tp, positions.getOrDefault(tp, 0L), 1 + random.nextInt(budget));
      if (!records.isEmpty()) {
        batch.put(tp, records);
        positions.put(tp, records.get(records.size() - 1).offset() + 1);
        budget -= records.size();
      }
    }
    return new ConsumerRecords<>(batch, Map.of());
  }

  private void rebalance() {
    ConsumerRebalanceListener callback = java.util.Objects.requireNonNull(listener, "subscribe first");
    List<TopicPartition> lost = new ArrayList<>(toLose);
    lost.retainAll(positions.keySet());
    toLose.clear();
    if (!lost.isEmpty()) {
      callback.onPartitionsLost(lost);
      lost.forEach(this::unassign);
    }
    List<TopicPartition> revoked = new ArrayList<>(toRevoke);
    revoked.retainAll(positions.keySet());
    toRevoke.clear();
    if (!revoked.isEmpty()) {
      callback.onPartitionsRevoked(revoked);
      for (TopicPartition tp : revoked) {
        unassign(tp);
        if (kafka.owner(tp) == this) { // lost during the callback, it may belong to another member already
          kafka.own(tp, null);
        }
      }
    }
    List<TopicPartition> assigned = new ArrayList<>(toAssign);
    assigned.removeIf(tp -> kafka.owner(tp) != this);
    toAssign.clear();
    if (!assigned.isEmpty()) {
      for (TopicPartition tp : assigned) {
        positions.put(tp, kafka.committed(tp));
      }
      callback.onPartitionsAssigned(assigned);
    }
  }

  private void unassign(TopicPartition tp) {
    positions.remove(tp);
    pausedPartitions.remove(tp);
  }

  private void checkOpen() {
    if (clientClosed) {
      throw new IllegalStateException("simulated: this consumer has already been closed");
    }
  }

  private void checkAssigned(TopicPartition tp) {
    if (!positions.containsKey(tp)) {
      throw new IllegalStateException("simulated: no current assignment for partition " + tp);
    }
  }

  @Override
  public synchronized Set<TopicPartition> assignment() {
    return new HashSet<>(positions.keySet());
  }

  @Override
  public synchronized void seek(TopicPartition tp, long offset) {
    checkAssigned(tp);
    positions.put(tp, offset);
  }

  @Override
  public synchronized void seekToBeginning(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> seek(tp, 0));
  }

  @Override
  public synchronized void seekToEnd(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> seek(tp, kafka.end(tp)));
  }

  @Override
  public synchronized Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, 0L));
    return out;
  }

  @Override
  public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, kafka.end(tp)));
    return out;
  }

  @Override
  public OptionalLong currentLag(TopicPartition tp) {
    Long position = positions.get(tp);
    return position == null ? OptionalLong.empty() : OptionalLong.of(kafka.end(tp) - position);
  }

  @Override
  public synchronized void pause(Collection<TopicPartition> partitions) {
    partitions.forEach(this::checkAssigned);
    pausedPartitions.addAll(partitions);
  }

  @Override
  public synchronized void resume(Collection<TopicPartition> partitions) {
    partitions.forEach(this::checkAssigned);
    pausedPartitions.removeAll(partitions);
  }

  @Override
  public synchronized Set<TopicPartition> paused() {
    return new HashSet<>(pausedPartitions);
  }

  @Override
  public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    checkOpen();
    kafka.commit(this, offsets);
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, new OffsetAndMetadata(kafka.committed(tp))));
    return out;
  }

  @Override
  public synchronized void close(Duration timeout) {
    clientClosed = true;
  }

  @Override
  public synchronized void close() {
    clientClosed = true;
  }

  @Override
  public synchronized boolean closed() {
    return clientClosed;
  }
}
