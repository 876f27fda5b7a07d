package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.SegbufException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Redis's memory as the store reads it from INFO memory texts, without a server ({@code RedisMemoryIT} reads a real
 * one): which master is reported, what appends add between readings, and a policy that may evict.
 */
class RedisMemoryTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong nanos = new AtomicLong();
  private final AtomicReference<List<String>> infos = new AtomicReference<>(List.of(info(100, 1_000, "noeviction")));
  private final AtomicInteger readings = new AtomicInteger();
  private final AtomicBoolean unreachable = new AtomicBoolean();

  @Test
  void theMasterNearestItsLimitIsReportedWhicheverComesFirst() {
    String far = info(500, 10_000, "noeviction");
    String near = info(600, 1_000, "noeviction");
    String unlimited = info(900_000, 0, "noeviction");
    for (List<String> order : List.of(List.of(far, near, unlimited), List.of(near, far, unlimited),
        List.of(unlimited, far, near), List.of(unlimited, near, far))) {
      infos.set(order);
      assertThat(memory().usedAndMax()).as("%s", order).containsExactly(600, 1_000);
    }
  }

  @Test
  void withoutAnyLimitTheLargestUseIsReportedWithMaximumZero() {
    infos.set(List.of(info(300, 0, "noeviction"), info(700, 0, "noeviction"), info(200, 0, "noeviction")));

    assertThat(memory().usedAndMax()).containsExactly(700, 0);
  }

  /**
   * The largest record is what the least roomy empty master with a limit takes: its maxmemory less its own structures
   * (used_memory_startup) and the clients' room (64 KiB), over two and a half copies of the record. A shard's
   * changelog is on one master, which refuses a larger record however roomy the others are.
   */
  @Test
  void theLargestRecordIsWhatTheLeastRoomyEmptyMasterTakesAndUnboundedWhenNoneHasALimit() {
    String far = info(500, 10_000_000, "noeviction", 900_000);
    String near = info(600, 1_000_000, "noeviction", 800_000);
    infos.set(List.of(far, near));
    assertThat(memory().largestRecord()).as("a record larger fits in the smallest empty master")
        .isEqualTo((1_000_000 - 800_000 - RedisMemory.RECORD_ROOM) * 2 / 5);

    infos.set(List.of(info(600, 100_000, "noeviction", 90_000)));
    assertThat(memory().largestRecord()).as("no room at all").isZero();

    infos.set(List.of(far, info(900_000, 0, "noeviction")));
    assertThat(memory().largestRecord()).as("a master without a limit bounds nothing")
        .isEqualTo((10_000_000 - 900_000 - RedisMemory.RECORD_ROOM) * 2 / 5);

    infos.set(List.of(info(900_000, 0, "noeviction"), info(1_000, 0, "noeviction")));
    assertThat(memory().largestRecord()).as("no master has a limit").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aPolicyThatMayEvictIsRefusedAtConnect() {
    infos.set(List.of(info(1, 10, "noeviction"), info(1, 10, "allkeys-lru")));

    assertThatThrownBy(this::memory).isInstanceOf(SegbufException.class)
        .hasMessageStartingWith("maxmemory-policy must be noeviction but was allkeys-lru: Redis may evict");
  }

  @Test
  void aTextWithoutAFieldIsRefusedNamingIt() {
    infos.set(List.of("# Memory\r\nused_memory_rss:5\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n"));

    assertThatThrownBy(this::memory).isInstanceOf(SegbufException.class)
        .hasMessage("INFO memory must report used_memory but did not");
    infos.set(List.of("# Memory\r\nused_memory:5\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n"));
    assertThatThrownBy(this::memory).isInstanceOf(SegbufException.class)
        .hasMessage("INFO memory must report used_memory_startup but did not");
  }

  @Test
  void bytesAppendedSinceTheReadingCountOneAndAHalfEachUntilTheNextReading() {
    RedisMemory memory = memory();
    memory.appended(1_000);
    memory.appended(10);
    assertThat(memory.usedAndMax()).containsExactly(100 + 1_515, 1_000);

    infos.set(List.of(info(5_000, 8_000, "noeviction")));
    memory.refresh();
    assertThat(memory.usedAndMax()).as("the reading holds what was appended before it").containsExactly(5_000, 8_000);
    memory.appended(2);
    assertThat(memory.usedAndMax()).containsExactly(5_003, 8_000);
  }

  /** Compaction writes live data again more often while Redis is short of memory, as last read plus appends. */
  @Test
  void aboveHalfTheLimitCountsTheBytesAppendedSinceTheReadingAndNeverWithoutALimit() {
    RedisMemory memory = memory(); // 100 used of 1,000
    assertThat(memory.aboveHalf()).isFalse();
    memory.appended(266); // 100 + 399
    assertThat(memory.aboveHalf()).isFalse();
    memory.appended(2); // 100 + 402
    assertThat(memory.aboveHalf()).isTrue();

    infos.set(List.of(info(900_000, 0, "noeviction")));
    memory.refresh();
    assertThat(memory.aboveHalf()).as("no maxmemory").isFalse();
  }

  @Test
  void atTheLimitOnceTheReadingPlusWhatWasAppendedLeavesNoRoomForARecord() {
    infos.set(List.of(info(1_000_000, 2_000_000, "noeviction")));
    RedisMemory memory = memory();
    long room = 2_000_000 - 1_000_000 - RedisMemory.RECORD_ROOM;
    assertThat(memory.atTheLimit()).as("half").isFalse();
    memory.appended(room * 2 / 3 - 1); // counted at 1.5 a byte
    assertThat(memory.atTheLimit()).as("room for one record and a little more").isFalse();
    memory.appended(1);
    assertThat(memory.atTheLimit()).isTrue();

    infos.set(List.of(info(5_000_000, 0, "noeviction")));
    memory.refresh();
    assertThat(memory.atTheLimit()).as("no limit").isFalse();
  }

  @Test
  void aReadingIsTakenAgainOffTheCallersThreadOnceASecondHasPassed() throws InterruptedException {
    RedisMemory memory = memory();
    memory.appended(100);
    nanos.addAndGet(SECOND);
    assertThat(memory.usedAndMax()).containsExactly(250, 1_000);
    assertThat(readings).as("no new reading within the second").hasValue(1);

    infos.set(List.of(info(4_000, 9_000, "noeviction")));
    nanos.incrementAndGet();
    assertThat(memory.usedAndMax()).as("the last reading serves while the next is taken").containsExactly(250, 1_000);
    long[] read = awaitReading(memory, 4_000);
    assertThat(read).as("what was appended before the reading began is in it").containsExactly(4_000, 9_000);
    assertThat(readings).hasValue(2);
    memory.appended(2);
    assertThat(memory.usedAndMax()).containsExactly(4_003, 9_000);
  }

  @Test
  void aReadingThatFailsKeepsTheLastAndTheNextCallTriesAgain() throws InterruptedException {
    RedisMemory memory = memory();
    unreachable.set(true);
    nanos.addAndGet(2 * SECOND);
    memory.usedAndMax();
    for (int polls = 0; polls < 3_000 && readings.get() < 2; polls++) {
      Thread.sleep(10);
    }
    assertThat(memory.usedAndMax()).as("the last reading").containsExactly(100, 1_000);
    infos.set(List.of(info(7_000, 9_000, "noeviction")));
    unreachable.set(false);

    assertThat(awaitReading(memory, 7_000)).containsExactly(7_000, 9_000);
  }

  @Test
  void aPolicyThatMayEvictFoundLaterFailsEveryLaterCall() {
    RedisMemory memory = memory();
    infos.set(List.of(info(1, 10, "volatile-ttl")));

    assertThatThrownBy(memory::refresh).hasMessageStartingWith("maxmemory-policy must be noeviction but was volatile-ttl");
    infos.set(List.of(info(1, 10, "noeviction")));
    assertThatThrownBy(memory::usedAndMax).isInstanceOf(SegbufException.class)
        .hasMessageStartingWith("maxmemory-policy must be noeviction but was volatile-ttl");
  }

  private RedisMemory memory() {
    return new RedisMemory(() -> {
      readings.incrementAndGet();
      if (unreachable.get()) {
        throw new SegbufException("Redis did not answer");
      }
      return new ArrayList<>(infos.get());
    }, nanos::get, CompletableFuture::runAsync);
  }

  /** Calls until the reading taken off this thread shows {@code used}, counting polling intervals (at least 30 s). */
  private static long[] awaitReading(RedisMemory memory, long used) throws InterruptedException {
    for (int polls = 0; polls < 3_000; polls++) {
      long[] read = memory.usedAndMax();
      if (read[0] == used) {
        return read;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no reading of " + used + " bytes");
  }

  /** An INFO memory text as Redis 7 writes it, with the fields whose names start like the ones read. */
  private static String info(long used, long max, String policy) {
    return info(used, max, policy, Math.min(used, 50));
  }

  private static String info(long used, long max, String policy, long startup) {
    return "# Memory\r\nused_memory:" + used + "\r\nused_memory_human:1K\r\nused_memory_rss:" + (used * 3)
        + "\r\nused_memory_startup:" + startup + "\r\nmaxmemory:" + max + "\r\nmaxmemory_human:0B\r\nmaxmemory_policy:"
        + policy + "\r\n";
  }
}
