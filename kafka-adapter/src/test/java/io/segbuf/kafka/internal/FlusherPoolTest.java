package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlusherPoolTest {
  private static final TopicPartition A = new TopicPartition("ingest-spans", 0);
  private static final TopicPartition B = new TopicPartition("ingest-spans", 1);
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What was flushed, as "partition@time", in order. */
  private final List<String> flushes = new CopyOnWriteArrayList<>();
  private FlusherPool pool = new FlusherPool(this::record, Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMillis(1));

  private boolean record(TopicPartition tp, FlushedShard shard, Instant now) {
    flushes.add(tp.partition() + "@" + now.getEpochSecond());
    return false;
  }

  @AfterEach
  void stop() {
    pool.stop();
  }

  private static FlushedShard shardAt(Instant at) {
    FlushedShard shard = new FlushedShard();
    shard.flushAt(at);
    return shard;
  }

  @Test
  void theCallingThreadFlushesEveryPublishedShardWithATimeAtItsTime() {
    pool.publish(A, shardAt(T0.plusSeconds(1)));
    pool.publish(B, new FlushedShard()); // no time yet
    pool.flushOnThisThread();
    assertThat(flushes).containsExactly("0@" + T0.plusSeconds(1).getEpochSecond());
    assertThat(pool.cycles()).isEqualTo(1);
    assertThat(pool.hasThreads()).isFalse();
  }

  @Test
  void aShardPublishedAgainStaysTheOneFirstPublished() {
    FlushedShard first = shardAt(T0);
    pool.publish(A, first);
    pool.publish(A, shardAt(T0.plusSeconds(5)));
    pool.flushOnThisThread();
    assertThat(flushes).containsExactly("0@" + T0.getEpochSecond());
  }

  @Test
  void aShardWithdrawnIsFlushedNoMore() {
    FlushedShard shard = shardAt(T0);
    pool.publish(A, shard);
    pool.withdraw(A, shard, () -> flushes.add("last"));
    pool.flushOnThisThread();
    assertThat(flushes).containsExactly("last");
    assertThat(shard.flushAt()).as("a flusher that found it before it was withdrawn skips it").isNull();
  }

  /** A pool whose flush counts {@code inFlush} down, then waits for {@code finish} before it records "flushed". */
  private FlusherPool poolWhoseFlushWaits(CountDownLatch inFlush, CountDownLatch finish) {
    return new FlusherPool((tp, shard, now) -> {
      inFlush.countDown();
      try {
        finish.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      flushes.add("flushed");
      return true;
    }, Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMillis(1));
  }

  @Test
  void withdrawingAShardWaitsForItsFlushInProgressOnAFlusher() throws InterruptedException {
    CountDownLatch inFlush = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    pool = poolWhoseFlushWaits(inFlush, finish);
    FlushedShard shard = shardAt(T0);
    pool.publish(A, shard);
    pool.start(1, "test");
    assertThat(pool.hasThreads()).isTrue();
    inFlush.await();
    Thread withdrawing = new Thread(() -> pool.withdraw(A, shard, () -> flushes.add("withdrawn")));
    withdrawing.start();
    Await.until("the withdrawal to wait for the shard", WAIT, () -> shard.lock().hasQueuedThread(withdrawing));
    finish.countDown();
    withdrawing.join();
    pool.stop();
    assertThat(flushes).containsExactly("flushed", "withdrawn");
  }

  @Test
  void stoppingWaitsForAFlushInProgress() throws InterruptedException {
    CountDownLatch inFlush = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    pool = poolWhoseFlushWaits(inFlush, finish);
    pool.publish(A, shardAt(T0));
    pool.start(1, "test");
    inFlush.await();
    Thread stopping = new Thread(() -> {
      pool.stop();
      flushes.add("stopped");
    });
    stopping.start();
    Await.until("stop() to wait for the flusher", WAIT, () -> stopping.getState() == Thread.State.WAITING);
    finish.countDown();
    stopping.join();
    assertThat(flushes).containsExactly("flushed", "stopped");
  }

  @Test
  void flusherThreadsFlushPublishedShardsAndShowTheirLastSignOfLife() {
    assertThat(pool.oldestBeat()).isNull();
    pool.publish(A, shardAt(T0));
    pool.start(2, "test");
    Await.until("a flush", WAIT, () -> !flushes.isEmpty());
    Await.until("a flush cycle", WAIT, () -> pool.cycles() > 0);
    assertThat(pool.oldestBeat()).isEqualTo(T0);
    pool.stop();
    assertThat(pool.hasThreads()).isFalse();
    assertThat(flushes).allMatch(f -> f.equals("0@" + T0.getEpochSecond()));
  }
}
