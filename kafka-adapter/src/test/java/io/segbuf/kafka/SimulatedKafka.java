package io.segbuf.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.jspecify.annotations.Nullable;

/**
 * The simulation's {@code ingest-spans} topic and consumer group, on the simulation's thread: each partition's log,
 * the group's committed offsets, and which member owns each partition. A member may commit only partitions it owns
 * (a member whose partitions were lost is a zombie: its commits fail, as Kafka's do for a stale generation).
 */
final class SimulatedKafka {
  final String topic;
  private final List<List<ConsumerRecord<byte[], byte[]>>> logs = new ArrayList<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final Map<TopicPartition, SimulatedConsumer> owners = new HashMap<>();
  /** A fault: commits fail while set. */
  boolean commitsFail;

  SimulatedKafka(String topic, int partitions) {
    this.topic = topic;
    for (int p = 0; p < partitions; p++) {
      logs.add(new ArrayList<>());
    }
  }

  int partitions() {
    return logs.size();
  }

  TopicPartition partition(int p) {
    return new TopicPartition(topic, p);
  }

  /** Appends a record; returns its offset. */
  long append(int partition, long timestampMillis, byte @Nullable [] value) {
    List<ConsumerRecord<byte[], byte[]>> log = logs.get(partition);
    long offset = log.size();
    log.add(new ConsumerRecord<>(topic, partition, offset, timestampMillis, TimestampType.CREATE_TIME, 0,
        value == null ? 0 : value.length, null, value, new RecordHeaders(), Optional.empty()));
    return offset;
  }

  ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
    return logs.get(partition).get((int) offset);
  }

  long end(TopicPartition tp) {
    return logs.get(tp.partition()).size();
  }

  /** Up to {@code max} records from {@code from}. */
  List<ConsumerRecord<byte[], byte[]>> read(TopicPartition tp, long from, int max) {
    List<ConsumerRecord<byte[], byte[]>> log = logs.get(tp.partition());
    int start = (int) Math.min(from, log.size());
    return new ArrayList<>(log.subList(start, Math.min(log.size(), start + max)));
  }

  /** The group's committed offset, or 0 (auto.offset.reset=earliest on a log that is never truncated). */
  long committed(TopicPartition tp) {
    return committed.getOrDefault(tp, 0L);
  }

  void commit(SimulatedConsumer member, Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (TopicPartition tp : offsets.keySet()) {
      if (owners.get(tp) != member) {
        throw new CommitFailedException("simulated: " + tp + " is not owned by the committing member");
      }
    }
    if (commitsFail) {
      throw new KafkaException("simulated: the group coordinator is not available");
    }
    offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
  }

  @Nullable SimulatedConsumer owner(TopicPartition tp) {
    return owners.get(tp);
  }

  void own(TopicPartition tp, @Nullable SimulatedConsumer member) {
    if (member == null) {
      owners.remove(tp);
    } else {
      owners.put(tp, member);
    }
  }

  Set<TopicPartition> owned(SimulatedConsumer member) {
    Set<TopicPartition> out = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    owners.forEach((tp, m) -> {
      if (m == member) {
        out.add(tp);
      }
    });
    return out;
  }

  List<TopicPartition> unowned() {
    List<TopicPartition> out = new ArrayList<>();
    for (int p = 0; p < logs.size(); p++) {
      if (!owners.containsKey(partition(p))) {
        out.add(partition(p));
      }
    }
    return out;
  }
}
