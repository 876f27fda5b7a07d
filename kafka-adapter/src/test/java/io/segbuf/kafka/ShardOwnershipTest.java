package io.segbuf.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.redis.SimulatedRedis;
import io.segbuf.spi.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Who takes a partition's shard over in the Redis store, with two consumer processes of one group over a simulated
 * Kafka and Redis (issue #16): only a member that Kafka says owns the partition, never a zombie that lost it without
 * knowing yet; an owner whose shard was taken from it anyway takes it back after its next poll.
 */
class ShardOwnershipTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Pattern SPAN_ID = Pattern.compile("\"span_id\":\"([0-9a-f]{16})\"");

  private final TestClock clock = new TestClock(T0);
  private final SimulatedKafka kafka = new SimulatedKafka(ServiceSimulation.INPUT, 1);
  private final TopicPartition tp = kafka.partition(0);
  private final SimulatedRedis redis = new SimulatedRedis(clock::millis);
  private final Set<String> out = new HashSet<>();
  private final Set<String> in = new HashSet<>();
  private long nextSpan = 1;

  /** One service process; its connection to Redis fails every command while {@link #redisDown}. */
  private final class Process implements SimulatedRedis.Faults {
    final SimulatedConsumer kafkaConsumer = new SimulatedConsumer(kafka, new Random(1), 100);
    final SpanBuffer buffer;
    final SpanConsumer loop;
    boolean redisDown;

    Process() {
      buffer = SpanBuffer.create(SpanBufferConfig.defaults(),
          redis.store(RedisStoreOptions.builder().build(), this, () -> clock.millis() * 1_000_000),
          new KafkaSegmentSink(new SimulatedProducer(() -> SimulatedProducer.Fate.ACK, r -> {
            Matcher m = SPAN_ID.matcher(new String(r.value(), UTF_8));
            while (m.find()) {
              out.add(m.group(1));
            }
          }), ServiceSimulation.OUTPUT, 1_048_576));
      loop = new SpanConsumer(kafkaConsumer, null, SpanConsumerOptions.builder().bootstrapServers("simulated:9092")
          .groupId("ownership").topic(ServiceSimulation.INPUT).clock(clock).flushThreads(0).build(), buffer);
      loop.subscribeForSteps();
    }

    @Override
    public SimulatedRedis.Fate next(String command, String key) {
      return redisDown ? SimulatedRedis.Fate.LOST : SimulatedRedis.Fate.OK;
    }

    @Override
    public void beforeWrite(String key) {}

    void cycles(int n) {
      for (int i = 0; i < n; i++) {
        clock.advance(Duration.ofSeconds(20));
        loop.cycleOnce();
      }
    }

    /**
     * A flusher thread's flush, racing the poll that will tell this process it lost the partition; a refusal is logged
     * and tried again, as the consumer's flusher does.
     */
    void flushNow() {
      try {
        buffer.flush(tp.partition(), clock.instant());
      } catch (StoreUnavailableException refused) {
        // the flusher tries again at its next cycle
      }
    }
  }

  private void produce(int spans) {
    long root = nextSpan;
    for (int i = 0; i < spans; i++) {
      long id = nextSpan++;
      TestSpans span = TestSpans.span(id).endTimestamp(clock.millis() / 1000.0);
      kafka.append(0, clock.millis(), (id == root ? span : span.parent(root)).bytes());
      in.add(String.format("%016x", id));
    }
  }

  /** A takes the partition, fails to take its shard over (Redis away), and loses it to B while it stalls. */
  private Process[] aZombieWhoseTakeoverFailedAndTheOwnerAfterIt() {
    Process a = new Process();
    Process b = new Process();
    produce(3);
    a.kafkaConsumer.assignLater(tp);
    a.redisDown = true;
    a.cycles(1);
    a.redisDown = false;
    a.kafkaConsumer.loseNow(tp); // A's session timed out: it learns so at its next poll
    b.kafkaConsumer.assignLater(tp);
    b.cycles(1);
    produce(3);
    return new Process[] {a, b};
  }

  private void assertEverythingIsOutAndCommitted() {
    assertThat(kafka.committed(tp)).isEqualTo(kafka.end(tp));
    assertThat(out).containsAll(in);
  }

  @Test
  void aZombieWhoseTakeoverFailedDoesNotTakeTheShardFromItsNewOwnerByFlushingIt() {
    Process[] ab = aZombieWhoseTakeoverFailedAndTheOwnerAfterIt();
    Process zombie = ab[0];
    Process owner = ab[1];

    zombie.flushNow();
    zombie.cycles(1); // it learns it lost the partition
    owner.cycles(10);

    assertEverythingIsOutAndCommitted();
    assertThat(owner.buffer.holds(tp.partition())).isTrue();
  }

  @Test
  void anOwnerWhoseShardAZombieTookTakesItBackAfterItsNextPoll() {
    Process[] ab = aZombieWhoseTakeoverFailedAndTheOwnerAfterIt();
    Process zombie = ab[0];
    Process owner = ab[1];

    // the zombie's poll returned before it learned it lost the partition, and it took the shard over again
    zombie.buffer.acquire(tp.partition());
    owner.cycles(10);
    zombie.cycles(1);
    owner.cycles(10);

    assertThat(zombie.buffer.holds(tp.partition())).isFalse();
    assertEverythingIsOutAndCommitted();
  }

  @Test
  void aShardWhoseTakeoverFailedIsRefusedUntilTakenOverAfterALaterPoll() {
    Process only = new Process();
    produce(3);
    only.kafkaConsumer.assignLater(tp);
    only.redisDown = true;
    only.cycles(1);

    assertThat(only.buffer.holds(tp.partition())).isFalse();
    only.redisDown = false;
    only.flushNow(); // refused, not taken over: only a poll confirms the partition is still this process's
    assertThat(only.buffer.holds(tp.partition())).isFalse();

    only.cycles(10);
    assertThat(only.buffer.holds(tp.partition())).isTrue();
    assertEverythingIsOutAndCommitted();
  }

  @Test
  void aZombieFlushAfterThePartitionWasRevokedDoesNotTakeItBack() {
    Process former = new Process();
    Process owner = new Process();
    produce(3);
    former.kafkaConsumer.assignLater(tp);
    former.cycles(2);
    former.kafkaConsumer.revokeLater(tp);
    former.cycles(1);
    owner.kafkaConsumer.assignLater(tp);
    owner.cycles(1);
    produce(3);

    former.flushNow();
    owner.cycles(10);

    assertThat(former.buffer.holds(tp.partition())).isFalse();
    assertThat(owner.buffer.holds(tp.partition())).isTrue();
    assertEverythingIsOutAndCommitted();
  }
}
