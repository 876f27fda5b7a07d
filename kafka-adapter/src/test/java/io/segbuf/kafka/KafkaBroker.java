package io.segbuf.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One KRaft broker (combined with its controller) started in the test JVM from Kafka's own test kit. One per test
 * class, through {@link KafkaExtension}. Start-up failures are thrown, never skipped. Shipped in kafka-adapter's
 * test-jar for the cli's integration tests.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final Admin admin;

  private KafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
  }

  /** Starts a broker; throws (failing the test class) when it cannot. */
  public static KafkaBroker start() {
    KafkaClusterTestKit cluster = null;
    try {
      cluster = new KafkaClusterTestKit.Builder(
              new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          // Test records carry event times from years ago: time-based retention would delete them unread.
          .setConfigProp("log.retention.ms", "-1")
          .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaBroker(cluster);
    } catch (Exception e) {
      if (cluster != null) {
        try {
          cluster.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("the test Kafka broker did not start", e);
    }
  }

  /**
   * Shuts the broker down (its controller keeps running), as a broker restart begins: clients lose their
   * connections, and sends fail once their delivery timeout passes. {@link #startAgain()} brings it back.
   */
  public void stop() {
    cluster.brokers().values().forEach(BrokerServer::shutdown);
  }

  /** Starts the stopped broker on the same port and log directories, and waits until it is ready. */
  public void startAgain() {
    cluster.brokers().values().forEach(BrokerServer::startup);
    try {
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the test Kafka broker did not start again", e);
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates a topic with {@code partitions} partitions and the given topic configs, and waits for it. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("could not create topic " + name, e);
    }
  }

  /** Deletes the records of {@code topic}'s {@code partition} below {@code offset}, as retention would. */
  public void deleteRecordsBefore(String topic, int partition, long offset) {
    try {
      admin.deleteRecords(Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset)))
          .all().get();
    } catch (Exception e) {
      throw new IllegalStateException("could not delete records of " + topic, e);
    }
  }

  /** Commits {@code offset} for {@code group} (with no active members) on {@code topic}'s {@code partition}. */
  public void commitOffset(String group, String topic, int partition, long offset) {
    try {
      admin.alterConsumerGroupOffsets(group,
          Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("could not commit an offset for " + group, e);
    }
  }

  /** A fresh topic name with a prefix, so that tests in one class do not share topics. */
  public static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A producer of test input. Not idempotent: on the loaded test machine an idempotent producer writing to
   * freshly created topics was seen stuck in OUT_OF_ORDER_SEQUENCE_NUMBER retries; one request in flight keeps
   * the order, and a retried duplicate is harmless (the buffer stores byte-identical spans once).
   */
  public KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Reads {@code topic} from the beginning until {@code expected} records arrived (see {@link #readUntil}). */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
    return readUntil(topic, records -> records.size() >= expected, timeout);
  }

  /** Reads {@code topic} from the beginning until {@code done} says so, or polls that found nothing add up to {@code timeout}. */
  public List<ConsumerRecord<byte[], byte[]>> readUntil(
      String topic, java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      // gives up once polls that found nothing add up to the timeout (no clock read: an empty poll lasts its timeout)
      Duration poll = Duration.ofMillis(200);
      for (Duration idle = Duration.ZERO; !done.test(out) && idle.compareTo(timeout) < 0; ) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(poll);
        records.forEach(out::add);
        if (records.isEmpty()) {
          idle = idle.plus(poll);
        }
      }
    }
    return out;
  }

  /** The topics' partitions' end offsets summed: how many records were written. */
  public long endOffsetSum(String topic, Collection<Integer> partitions) {
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
    for (int p : partitions) {
      specs.put(new TopicPartition(topic, p),
          org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    try {
      return admin.listOffsets(specs).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The offsets {@code group} committed, summed over its partitions: how many records it acknowledged. */
  public long committedOffsetSum(String group) {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
          .mapToLong(OffsetAndMetadata::offset).sum();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not list the offsets of " + group, e);
    }
  }

  /** Members of {@code group} now. */
  public int groupMembers(String group) {
    try {
      return admin.describeConsumerGroups(List.of(group)).all().get().values().stream()
          .mapToInt(d -> d.members().size()).sum();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not describe " + group, e);
    }
  }

  @Override
  public void close() {
    admin.close();
    try {
      cluster.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the test Kafka broker did not stop cleanly", e);
    }
  }
}
