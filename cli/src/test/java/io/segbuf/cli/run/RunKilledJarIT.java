package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.Await;
import io.segbuf.kafka.InputTraces;
import io.segbuf.kafka.KafkaBroker;
import io.segbuf.kafka.KafkaExtension;
import io.segbuf.kafka.OutputRecords;
import io.segbuf.redis.RedisExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code segbuf run} on Redis, the built jar as its own process, killed with SIGKILL while it flushes, after it
 * committed every input offset (so the spans it had not flushed exist only in Redis), and started again with the same
 * group and store: every span comes out, exactly once after dedupe by flush id, and a repeated flush id repeats the
 * same bytes. Also killed at each step of a flush (after the store acknowledged a batch and before its commit, after a
 * seal, after Kafka acknowledged a message and before the buffer saw it, before a completion) by {@link HaltingRun},
 * the same service halting its JVM there, and restarted as the jar: nothing is lost, a message sent twice repeats its
 * flush id and bytes, and the group commits to the end of the input. The processes' output goes to
 * {@code target/RunKilledJarIT-*.log}.
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

  private boolean logged(String name, String text) {
    try {
      return log(name).contains(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  /** Started again as the jar after a kill: reads until every span is out, stops with SIGTERM; the records read. */
  private List<ConsumerRecord<byte[], byte[]>> restartUntilEverySpanIsOut(Set<String> spans) throws Exception {
    Process second = run("second");
    try {
      List<ConsumerRecord<byte[], byte[]>> records =
          broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT);
      // Halted after its last send, the first process may have put every span out already: the second must have
      // taken its partitions over (and registered the shutdown hook that hands them over) before it is stopped.
      Await.until("the second process assigned the partitions", WAIT, () -> logged("second", "assigned ["));
      String state = redisState();
      second.destroy(); // SIGTERM: its shutdown hook hands over and commits
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(log("second")).contains("segbuf run: stopped;")
          .as("input records deleted by Kafka before the restarted process read them")
          .doesNotContain("were deleted from Kafka");
      assertThat(OutputRecords.distinctSpans(records)).as(state + log("second")).isEqualTo(spans.size());
      OutputRecords.assertExactlyOnce(OutputRecords.decode(records), spans);
      OutputRecords.assertSameBytesPerFlushId(records);
      return records;
    } finally {
      second.destroyForcibly();
    }
  }

  /** An empty Redis, and the test traces on a new input topic of two partitions. */
  private Set<String> produceInput() {
    redis.get().cli("FLUSHALL");
    broker.get().createTopic(in, 2, Map.of());
    broker.get().createTopic(out, 2, Map.of());
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      return InputTraces.produce(input, in, 400, 9, 1000, T0);
    }
  }

  @ParameterizedTest
  @EnumSource(HaltingRun.Step.class)
  void haltedAtAStepOfAFlushAndStartedAgainItLosesNothingAndCommitsToTheEnd(HaltingRun.Step step) throws Exception {
    Set<String> spans = produceInput();
    long inputRecords = broker.get().endOffsetSum(in, PARTITIONS);

    Process halted = jar.startMain("halted-" + step, HaltingRun.class, broker.get().bootstrapServers(), in, out,
        group, redis.get().uri(), step.name(), "3");
    try {
      assertThat(halted.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(log("halted-" + step)).isTrue();
      assertThat(halted.exitValue()).as(log("halted-" + step)).isEqualTo(HaltingRun.KILLED);
      assertThat(log("halted-" + step)).contains("halting at " + step);
    } finally {
      halted.destroyForcibly();
    }
    if (step == HaltingRun.Step.ADD) {
      assertThat(broker.get().committedOffsetSum(group)).as("committed when halted").isLessThan(inputRecords);
    }

    restartUntilEverySpanIsOut(spans);
    assertThat(broker.get().committedOffsetSum(group)).as("committed after the restart").isEqualTo(inputRecords);
  }

  @Test
  void killedMidFlushAndStartedAgainItFlushesEverySpanOnceAfterDedupe() throws Exception {
    Set<String> spans = produceInput();

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

    restartUntilEverySpanIsOut(spans);
  }
}
