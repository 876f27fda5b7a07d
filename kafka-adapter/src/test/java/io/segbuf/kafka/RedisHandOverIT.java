package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.TestSpans;
import io.segbuf.kafka.OutputRecords.Out;
import io.segbuf.redis.RedisExtension;
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
 * End to end on the Redis store: two consumers share one Redis, a rebalance moves partitions between them, and
 * the segments buffered by the first owner are completed and flushed by the second, without a drain.
 */
class RedisHandOverIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String prefix = KafkaBroker.uniqueTopic("segbuf");

  private RedisMember member(String name) {
    return new RedisMember(name, broker.get(), redis.get().uri(), prefix, in, out, "segbuf-" + in, clock);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
      throws Exception {
    List<Future<?>> acks = new ArrayList<>();
    records.forEach(r -> acks.add(producer.send(r)));
    for (Future<?> ack : acks) {
      ack.get();
    }
  }

  private ProducerRecord<byte[], byte[]> record(String trace, TestSpans span, Instant time) {
    return new ProducerRecord<>(in, null, time.toEpochMilli(), trace.getBytes(StandardCharsets.US_ASCII),
        span.bytes());
  }

  @Test
  void segmentsBufferedByOneOwnerAreCompletedAndFlushedByTheNext() throws Exception {
    broker.get().createTopic(in, 4, Map.of());
    broker.get().createTopic(out, 4, Map.of());
    int traces = 24;
    Set<String> spans = new HashSet<>();
    try (KafkaProducer<byte[], byte[]> producer = broker.get().producer();
        RedisMember a = member("member-a")) {
      List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
      for (int t = 1; t <= traces; t++) {
        String trace = String.format("%032x", 0x7000 + t);
        long root = t * 100L;
        first.add(record(trace, TestSpans.span(root).trace(trace), T0));
        first.add(record(trace, TestSpans.span(root + 1).parent(root).trace(trace), T0));
        spans.add(String.format("%016x", root));
        spans.add(String.format("%016x", root + 1));
      }
      send(producer, first);
      Await.until("a offered the first half", WAIT, () -> a.consumer.stats().polledRecords() >= first.size());

      try (RedisMember b = member("member-b")) {
        Await.until("the partitions shared", WAIT,
            () -> b.consumer.stats().assignedPartitions() > 0
                && a.consumer.stats().assignedPartitions() + b.consumer.stats().assignedPartitions() == 4);
        assertThat(a.buffer.stats().flushedSpans()).as("nothing was due: a left its segments in Redis").isZero();

        // the second half of every trace goes to the partition's new or old owner, and joins the same segment
        List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
        for (int t = 1; t <= traces; t++) {
          String trace = String.format("%032x", 0x7000 + t);
          long root = t * 100L;
          second.add(record(trace, TestSpans.span(root + 2).parent(root + 1).trace(trace), T0.plusSeconds(1)));
          spans.add(String.format("%016x", root + 2));
        }
        send(producer, second);
        Await.until("the second half offered", WAIT,
            () -> a.consumer.stats().polledRecords() + b.consumer.stats().polledRecords()
                >= first.size() + second.size());
        clock.advance(Duration.ofHours(1));

        List<Out> records = OutputRecords.decode(
            broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT));
        List<Out> unique = OutputRecords.dedupe(records);
        assertThat(OutputRecords.spanCounts(unique)).hasSize(spans.size()).containsOnlyKeys(spans)
            .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(unique).as("one message per trace: the segment survived the move whole").hasSize(traces)
            .allSatisfy(r -> {
              assertThat(r.spanIds()).hasSize(3);
              assertThat(r.generation()).isEqualTo("0");
            });
        assertThat(b.buffer.stats().flushedSpans()).isPositive();
      }
    }
  }
}
