package io.segbuf.redis;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.DueSegment;
import io.segbuf.FlushPolicy;
import io.segbuf.SealedSegment;
import io.segbuf.SegbufException;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.StoreUsage;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flushers and writers that stop half-way, processes that share traces, queue updates lost between a trace log and
 * the queue write, and logs that expired or broke.
 */
class RedisStoreRecoveryIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Instant END = Instant.ofEpochMilli(Long.MAX_VALUE);
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1024 * 1024);
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static RedisStoreOptions options() {
    return RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix("recovery" + PREFIXES.incrementAndGet())
        .build();
  }

  /** A key of shard 0's queue: {@code due}, {@code use} or {@code size}. */
  private static String shardKey(RedisStoreOptions options, String name) {
    return options.keyPrefix() + ":{q:0}:" + name;
  }

  /** The common start of the test trace's keys. */
  private static String traceKeys(RedisStoreOptions options) {
    return options.keyPrefix() + ":{" + TestSpans.PROJECT + ":" + TestSpans.TRACE + "}:";
  }

  private static SegmentKey key(long id) {
    return new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), id);
  }

  @Test
  void flusherKilledBetweenSealAndCompleteResealsTheSameGenerationWithTheSameSpans() {
    RedisStoreOptions options = options();
    SealedSegment first;
    List<Span> firstSpans;
    try (RedisSegmentStore dead = RedisSegmentStore.connect(options)) {
      dead.add(0, TestSpans.parsed(span(1), span(2).parent(1), span(3).parent(2)), POLICY, T0);
      first = dead.seal(key(1), T0.plusSeconds(10));
      assertThat(first).isNotNull();
      firstSpans = dead.read(first);
      // the flusher dies here: messages maybe sent, never completed
    }
    try (RedisSegmentStore next = RedisSegmentStore.connect(options)) {
      assertThat(next.due(0, T0.plusSeconds(10), 10)).extracting(DueSegment::key).containsExactly(key(1));
      SealedSegment again = next.seal(key(1), T0.plusSeconds(20));
      assertThat(again).isNotNull().isEqualTo(first);
      assertThat(next.read(again)).extracting(Span::bytes)
          .containsExactlyInAnyOrderElementsOf(firstSpans.stream().map(Span::bytes).toList());
      next.complete(again, false);
      assertThat(next.due(0, END, 10)).isEmpty();
      assertThat(next.usage().spans()).isZero();
    }
  }

  @Test
  void spansAddedByAnotherProcessDuringAFlushGoToTheNextGeneration() {
    RedisStoreOptions options = options();
    try (RedisSegmentStore flusher = RedisSegmentStore.connect(options);
        RedisSegmentStore writer = RedisSegmentStore.connect(options)) {
      writer.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      SealedSegment sealed = flusher.seal(key(1), T0);
      assertThat(sealed).isNotNull();
      writer.add(0, TestSpans.parsed(span(3).parent(2), span(4).parent(1)), POLICY, T0.plusSeconds(1));
      assertThat(flusher.read(sealed)).extracting(Span::spanId).containsExactlyInAnyOrder(1L, 2L);
      flusher.complete(sealed, false); // the flusher's replica had not seen spans 3 and 4: it replays the log
      assertThat(writer.usage().spans()).isEqualTo(2);
      assertThat(flusher.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));

      SealedSegment next = flusher.seal(key(1), T0.plusSeconds(20));
      assertThat(next).isNotNull();
      assertThat(next.generation()).isEqualTo(sealed.generation() + 1);
      assertThat(flusher.read(next)).extracting(Span::spanId).containsExactlyInAnyOrder(3L, 4L);
      flusher.complete(next, false);
      assertThat(flusher.seal(key(1), T0.plusSeconds(30))).isNull();
    }
  }

  @Test
  void aProcessThatNeverSawATraceRebuildsItFromItsLogAfterItsFramesWereDeleted() {
    RedisStoreOptions options = options();
    String base = traceKeys(options);
    List<Span> first = TestSpans.parsed(span(1), span(2).parent(1));
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      store.add(0, first, POLICY, T0);
      SealedSegment sealed = store.seal(key(1), T0);
      assertThat(sealed).isNotNull();
      store.complete(sealed, true);
      // nothing buffered: the frames are gone, the log is kept for late spans until flushedTraceRetention
      assertThat(redis.get().cli("KEYS", base + "*").strip()).isEqualTo(base + "log");
      long ttl = Long.parseLong(redis.get().cli("PTTL", base + "log").strip());
      assertThat(ttl).isPositive().isLessThanOrEqualTo(options.flushedTraceRetention().toMillis());
    }
    try (RedisSegmentStore other = RedisSegmentStore.connect(options)) {
      assertThat(other.add(0, first.subList(1, 2), POLICY, T0).duplicateCount()).isEqualTo(1);
      other.add(0, TestSpans.parsed(span(3).parent(2)), POLICY, T0);
      assertThat(other.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));
      SealedSegment late = other.seal(key(1), T0);
      assertThat(late).isNotNull();
      assertThat(late.generation()).isEqualTo(1);
      assertThat(late.skipEnrichment()).isTrue();
      assertThat(other.read(late)).extracting(Span::spanId).containsExactly(3L);
      other.complete(late, false);
      assertUsage(other, 0, 0, 0);
    }
  }

  @Test
  void framesOfASegmentThatKeepsGrowingLiveAsLongAsItsLog() throws InterruptedException {
    RedisStoreOptions options = options().toBuilder().keyTtl(Duration.ofSeconds(2)).build();
    String base = traceKeys(options);
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      String first = redis.get().cli("KEYS", base + "f:*").strip();
      Thread.sleep(1_200); // past half of keyTtl: the next write of the trace sets the frame's expiry again
      store.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0);
      assertThat(Long.parseLong(redis.get().cli("PTTL", first).strip())).isGreaterThan(1_500);
    }
  }

  @Test
  void aProcessDoesNotTrustItsReplicaOfALogThatMayHaveExpiredAndStartedAgain() throws InterruptedException {
    RedisStoreOptions options = options().toBuilder().keyTtl(Duration.ofSeconds(30))
        .flushedTraceRetention(Duration.ofSeconds(1)).build();
    try (RedisSegmentStore a = RedisSegmentStore.connect(options);
        RedisSegmentStore b = RedisSegmentStore.connect(options)) {
      a.add(0, TestSpans.parsed(span(1).padding(7)), POLICY, T0); // a's own write gave the log 30 s
      SealedSegment flushed = b.seal(key(1), T0);
      assertThat(flushed).isNotNull();
      b.read(flushed);
      b.complete(flushed, false); // nothing buffered: b shortens the log's life to flushedTraceRetention
      Thread.sleep(1_300); // the log expires
      b.add(0, TestSpans.parsed(span(1).padding(8)), POLICY, T0); // a new log, as long as the one a knew
      a.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0);
      SealedSegment sealed = a.seal(key(1), T0);
      assertThat(sealed).isNotNull();
      assertThat(sealed.generation()).isZero();
      assertThat(a.read(sealed)).extracting(Span::size).containsExactlyInAnyOrder(
          TestSpans.parsed(span(1).padding(8)).get(0).size(), TestSpans.parsed(span(2).parent(1)).get(0).size());
    }
  }

  @Test
  void aCorruptTraceLogFailsLoudly() {
    RedisStoreOptions options = options();
    String log = traceKeys(options) + "log";
    try (RedisSegmentStore store = RedisSegmentStore.connect(options.toBuilder().replicaBytes(0).build())) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      redis.get().cli("SETRANGE", log, "1", "zzzz");
      assertThatThrownBy(() -> store.seal(key(1), T0)).isInstanceOf(SegbufException.class)
          .hasMessageContaining("trace log is corrupt at byte 0");
    }
  }

  @Test
  void aTraceThatCannotBeRepairedWaitsAndTheShardsOtherSegmentsStillFlush() {
    RedisStoreOptions options = options();
    String queue = shardKey(options, "due");
    String log = traceKeys(options) + "log";
    String other = "ffffffffffffffffffffffffffffffff";
    try (RedisSegmentStore store = RedisSegmentStore.connect(options.toBuilder().replicaBytes(0).build())) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      store.add(0, TestSpans.parsed(span(10).trace(other)), POLICY, T0);
      redis.get().cli("SETRANGE", log, "1", "zzzz");
      redis.get().cli("ZADD", queue, "0", "g:" + TestSpans.PROJECT + ":" + TestSpans.TRACE);
      Instant now = T0.plusSeconds(3600);
      assertThat(store.due(0, now, 2)).extracting(d -> d.key().segmentId()).containsExactlyInAnyOrder(1L, 10L);
      double retry = Double.parseDouble(
          redis.get().cli("ZSCORE", queue, "g:" + TestSpans.PROJECT + ":" + TestSpans.TRACE).strip());
      assertThat(retry).isGreaterThan(now.toEpochMilli() * 8.0);
    }
  }

  @Test
  void completingTwiceDeletesNothingOfTheNextGeneration() {
    try (RedisSegmentStore store = RedisSegmentStore.connect(options())) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      SealedSegment sealed = store.seal(key(1), T0);
      assertThat(sealed).isNotNull();
      store.complete(sealed, false);
      store.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0);
      store.complete(sealed, false);
      SealedSegment next = store.seal(key(1), T0);
      assertThat(next).isNotNull();
      assertThat(store.read(next)).extracting(Span::spanId).containsExactly(2L);
    }
  }

  @Test
  void queueUpdateLostAfterTheScriptIsRepairedFromTheGuard() {
    RedisStoreOptions options = options();
    String queue = shardKey(options, "due");
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      List<Span> batch = TestSpans.parsed(span(1), span(2).parent(1), span(5).parent(4));
      store.add(0, batch, POLICY, T0);
      // a crash between the trace script and the queue update: entries, sizes and counts missing, the guard left
      redis.get().cli("DEL", queue, shardKey(options, "use"), shardKey(options, "size"));
      redis.get().cli("ZADD", queue, "0", "g:" + TestSpans.PROJECT + ":" + TestSpans.TRACE);
      assertThat(store.usage().spans()).isZero();
      assertThat(store.due(0, END, 10)).extracting(d -> d.key().segmentId()).containsExactlyInAnyOrder(1L, 4L);
      assertThat(store.repairedTraces()).isEqualTo(1);
      assertThat(redis.get().cli("ZRANGE", queue, "0", "-1")).doesNotContain("g:");
      assertUsage(store, 2, 3, bytes(batch));
      flushAll(store);
      assertUsage(store, 0, 0, 0);
    }
  }

  @Test
  void countsOfABatchWhoseQueueUpdateWasLostAreMadeGoodAndReturnToZero() {
    RedisStoreOptions options = options();
    String queue = shardKey(options, "due");
    String use = shardKey(options, "use");
    String sizes = shardKey(options, "size");
    String member = TestSpans.PROJECT + ":" + TestSpans.TRACE + ":0000000000000001";
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      List<Span> first = TestSpans.parsed(span(1), span(2).parent(1));
      store.add(0, first, POLICY, T0);
      String spansBefore = redis.get().cli("HGET", use, "spans").strip();
      String bytesBefore = redis.get().cli("HGET", use, "bytes").strip();
      String sizeBefore = redis.get().cli("HGET", sizes, member).strip();
      List<Span> second = TestSpans.parsed(span(3).parent(1), span(4).parent(3));
      store.add(0, second, POLICY, T0);
      // the second batch's queue update never ran: its counts and the segment's size are as after the first
      redis.get().cli("HSET", use, "spans", spansBefore, "bytes", bytesBefore);
      redis.get().cli("HSET", sizes, member, sizeBefore);
      redis.get().cli("ZADD", queue, "0", "g:" + TestSpans.PROJECT + ":" + TestSpans.TRACE);
      assertThat(store.usage().spans()).isEqualTo(2);
      assertThat(store.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));
      assertUsage(store, 1, 4, bytes(first) + bytes(second));
      flushAll(store);
      assertUsage(store, 0, 0, 0);
    }
  }

  @Test
  void theNextUpdateOfASegmentMakesGoodCountsLostBeforeIt() {
    RedisStoreOptions options = options();
    String use = shardKey(options, "use");
    String sizes = shardKey(options, "size");
    String member = TestSpans.PROJECT + ":" + TestSpans.TRACE + ":0000000000000001";
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      String spansBefore = redis.get().cli("HGET", use, "spans").strip();
      String sizeBefore = redis.get().cli("HGET", sizes, member).strip();
      store.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0);
      redis.get().cli("HSET", use, "spans", spansBefore); // that update's counts lost, no repair pending
      redis.get().cli("HSET", sizes, member, sizeBefore);
      assertThat(store.usage().spans()).isEqualTo(1);
      store.add(0, TestSpans.parsed(span(3).parent(2)), POLICY, T0);
      assertThat(store.usage().spans()).isEqualTo(3);
      flushAll(store);
      assertThat(store.usage().spans()).isZero();
    }
  }

  private static void assertUsage(RedisSegmentStore store, long segments, long spans, long bytes) {
    StoreUsage usage = store.usage();
    assertThat(List.of(usage.segments(), usage.spans(), usage.bytes())).as("segments, spans, bytes")
        .containsExactly(segments, spans, bytes);
  }

  private static long bytes(List<Span> spans) {
    return spans.stream().mapToLong(Span::size).sum();
  }

  /** Seals, reads and completes every segment due by {@link #END}. */
  private static void flushAll(RedisSegmentStore store) {
    for (DueSegment due : store.due(0, END, 100)) {
      SealedSegment sealed = store.seal(due.key(), END);
      if (sealed != null) {
        store.read(sealed);
        store.complete(sealed, false);
      }
    }
    assertThat(store.due(0, END, 100)).isEmpty();
  }

  @Test
  void redeliveredBatchRepairsALostQueueUpdate() {
    RedisStoreOptions options = options();
    String queue = shardKey(options, "due");
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      List<Span> batch = TestSpans.parsed(span(1), span(2).parent(1));
      store.add(0, batch, POLICY, T0);
      redis.get().cli("DEL", queue);
      assertThat(store.add(0, batch, POLICY, T0).duplicateCount()).isEqualTo(2);
      assertThat(store.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));
    }
  }

  @Test
  void queuedSegmentWhoseKeysExpiredIsDroppedAndCounted() {
    RedisStoreOptions options = options();
    try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      String base = traceKeys(options);
      for (String k : redis.get().cli("KEYS", base + "*").split("\n")) {
        redis.get().cli("DEL", k.strip()); // what an expiry does: the trace log and its frames
      }
      assertThat(store.due(0, END, 10)).extracting(DueSegment::key).containsExactly(key(1));
      assertThat(store.seal(key(1), END)).isNull();
      assertThat(store.expiredUnflushedSegments()).isEqualTo(1);
      assertThat(store.due(0, END, 10)).isEmpty();
      assertUsage(store, 0, 0, 0); // the counts of what expired go with its queue entry
    }
  }

  @Test
  void usageReportsRedisMemoryAndItsLimitForBackpressure() {
    try (RedisSegmentStore store = RedisSegmentStore.connect(options())) {
      store.add(0, TestSpans.parsed(span(1).padding(10_000)), POLICY, T0);
      assertThat(store.usage().usedMemoryBytes()).isPositive();
      assertThat(store.usage().maxMemoryBytes()).isZero();
      redis.get().cli("CONFIG", "SET", "maxmemory", "1gb");
      try {
        assertThat(store.usage().maxMemoryBytes()).isEqualTo(1L << 30);
        assertThat(store.usage().memoryFraction()).isGreaterThan(0).isLessThan(1);
      } finally {
        redis.get().cli("CONFIG", "SET", "maxmemory", "0");
      }
    }
  }

  @Test
  void segmentsDueForHalfTheKeyTtlAreCountedAtRisk() {
    try (RedisSegmentStore store = RedisSegmentStore.connect(options())) {
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      Instant due = T0.plusSeconds(10);
      assertThat(store.atRiskSegments(0, due.plus(Duration.ofMinutes(29)))).isZero();
      assertThat(store.atRiskSegments(0, due.plus(Duration.ofMinutes(30)))).isEqualTo(1);
    }
  }
}
