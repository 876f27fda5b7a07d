package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.TestSpans;
import io.segbuf.kafka.OutputRecords.Out;
import io.segbuf.redis.RedisExtension;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A zombie consumer: its partition's shard was taken over in Redis by the partition's next owner while it still
 * reads the partition. Its batches are refused by the store, their offsets are never committed, and the next owner
 * flushes every span, those the zombie stored before the takeover and those it was refused.
 */
class RedisZombieConsumerIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String prefix = KafkaBroker.uniqueTopic("segbuf");
  private final String group = "segbuf-" + in;

  private RedisSegmentStore connect() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix(prefix).build());
  }

  private RedisMember member(String name) {
    return new RedisMember(name, broker.get(), redis.get().uri(), prefix, in, out, group, clock);
  }

  private void send(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
      throws Exception {
    List<Future<?>> acks = new ArrayList<>();
    records.forEach(r -> acks.add(producer.send(r)));
    for (Future<?> ack : acks) {
      ack.get();
    }
  }

  private ProducerRecord<byte[], byte[]> record(String trace, TestSpans span) {
    return new ProducerRecord<>(in, 0, T0.toEpochMilli(), trace.getBytes(StandardCharsets.US_ASCII), span.bytes());
  }

  @Test
  void aZombiesRefusedBatchesAreNeitherCommittedNorLost() throws Exception {
    broker.get().createTopic(in, 1, Map.of());
    broker.get().createTopic(out, 1, Map.of());
    int traces = 10;
    Set<String> spans = new HashSet<>();
    List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> refused = new ArrayList<>();
    for (int t = 1; t <= traces; t++) {
      String trace = String.format("%032x", 0x9000 + t);
      long root = t * 100L;
      first.add(record(trace, TestSpans.span(root).trace(trace)));
      first.add(record(trace, TestSpans.span(root + 1).parent(root).trace(trace)));
      refused.add(record(trace, TestSpans.span(root + 2).parent(root + 1).trace(trace)));
      for (long id = root; id <= root + 2; id++) {
        spans.add(String.format("%016x", id));
      }
    }
    try (KafkaProducer<byte[], byte[]> producer = broker.get().producer()) {
      try (RedisMember zombie = member("zombie"); RedisSegmentStore nextOwner = connect()) {
        send(producer, first);
        Await.until("the zombie committed the first batch", WAIT,
            () -> broker.get().committedOffsetSum(group) == first.size());

        nextOwner.acquire(0); // what the partition's next owner does when Kafka assigns it the partition
        send(producer, refused);
        Await.until("the store refused the zombie's batch", WAIT, () -> zombie.consumer.stats().storeFailures() > 0);
      }
      assertThat(broker.get().committedOffsetSum(group)).as("the refused batch was not committed, not even at close")
          .isEqualTo(first.size());

      try (RedisMember owner = member("owner")) {
        Await.until("the owner read the refused batch again", WAIT,
            () -> owner.consumer.stats().polledRecords() >= refused.size());
        clock.advance(Duration.ofHours(1));

        List<Out> unique = OutputRecords.dedupe(OutputRecords.decode(
            broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT)));
        assertThat(OutputRecords.spanCounts(unique)).containsOnlyKeys(spans)
            .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(unique).as("one message per trace: the zombie's spans reached the owner's segments").hasSize(traces)
            .allSatisfy(r -> assertThat(r.generation()).isEqualTo("0"));
      }
    }
  }
}
