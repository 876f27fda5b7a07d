package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.Await;
import io.segbuf.kafka.InputTraces;
import io.segbuf.kafka.KafkaBroker;
import io.segbuf.kafka.KafkaExtension;
import io.segbuf.kafka.OutputRecords;
import io.segbuf.redis.RedisExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code segbuf run} on Redis, the built jar as its own process, killed with SIGKILL while it flushes, after it
 * committed every input offset (so the spans it had not flushed exist only in Redis), and started again with the same
 * group and store: every span comes out, exactly once after dedupe by flush id, and a repeated flush id repeats the
 * same bytes. The processes' output goes to {@code target/RunKilledJarIT-*.log}.
 */
class RunKilledJarIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final List<Integer> PARTITIONS = List.of(0, 1);

  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String group = "segbuf-" + in;
  private final JarProcesses jar = new JarProcesses("RunKilledJarIT");

  private Process run(String name) throws IOException {
    return jar.start(name, "run",
        "--bootstrap-servers", broker.get().bootstrapServers(), "--input-topic", in, "--output-topic", out,
        "--group-id", group, "--root-timeout", "0.05", "--store", redis.get().uri(),
        // the killed member's partitions are reassigned once its session times out: the broker's minimum
        "--consumer-property", "session.timeout.ms=6000", "--consumer-property", "heartbeat.interval.ms=1000");
  }

  private String log(String name) throws IOException {
    return jar.log(name);
  }

  private int distinctSpansOut() {
    long written = broker.get().endOffsetSum(out, PARTITIONS);
    return OutputRecords.distinctSpans(broker.get().readAll(out, (int) written, WAIT));
  }

  /** Each shard's epoch and changelog length, for a failure message. */
  private String redisState() {
    StringBuilder b = new StringBuilder();
    for (int p : PARTITIONS) {
      String epoch = redis.get().cli("GET", "{segbuf:" + p + "}:epoch").strip();
      b.append("shard ").append(p).append(": epoch ").append(epoch).append(", changelog records ")
          .append(redis.get().cli("LLEN", "{segbuf:" + p + "}:log:" + epoch).strip()).append('\n');
    }
    return b.toString();
  }

  @Test
  void killedMidFlushAndStartedAgainItFlushesEverySpanOnceAfterDedupe() throws Exception {
    broker.get().createTopic(in, 2, Map.of());
    broker.get().createTopic(out, 2, Map.of());
    Set<String> spans;
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      spans = InputTraces.produce(input, in, 400, 9, 1000, T0);
    }

    Process first = run("first");
    try {
      long inputRecords = broker.get().endOffsetSum(in, PARTITIONS);
      Await.until("the first process committing all input and flushing", WAIT,
          () -> (broker.get().committedOffsetSum(group) >= inputRecords
              && broker.get().endOffsetSum(out, PARTITIONS) > 0) || !first.isAlive());
      assertThat(first.isAlive()).as(log("first")).isTrue();
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no commit
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
    }
    int outAtKill = distinctSpansOut();
    assertThat(outAtKill).as("killed mid-flush: some spans out, not all").isBetween(1, spans.size() - 1);

    Process second = run("second");
    try {
      List<ConsumerRecord<byte[], byte[]>> records =
          broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT);
      String state = redisState();
      second.destroy(); // SIGTERM: its shutdown hook hands over and commits
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(log("second")).contains("segbuf run: stopped;")
          .as("input records deleted by Kafka before the restarted process read them")
          .doesNotContain("were deleted from Kafka");

      assertThat(OutputRecords.distinctSpans(records)).as(state + log("second")).isEqualTo(spans.size());
      OutputRecords.assertExactlyOnce(OutputRecords.decode(records), spans);
      OutputRecords.assertSameBytesPerFlushId(records);
    } finally {
      second.destroyForcibly();
    }
  }
}
