package io.segbuf.redis;

import static io.segbuf.redis.RedisStoreFixture.POLICY;
import static io.segbuf.redis.RedisStoreFixture.T0;
import static io.segbuf.redis.RedisStoreFixture.connect;
import static io.segbuf.redis.RedisStoreFixture.options;
import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentStoreContract;
import io.segbuf.spi.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The changelog in Redis: compaction bounds it, an evicting Redis is refused, an undecodable record stops the shard. */
class RedisChangelogIT {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();


  private static long memoryUsage(RedisServers server, String key) {
    String usage = server.cli("MEMORY", "USAGE", key, "SAMPLES", "0").strip();
    return usage.isEmpty() ? 0 : Long.parseLong(usage);
  }

  /**
   * One trace that never goes quiet, past the in-memory store's bound on a trace's flushed spans (100,000): the
   * owner forgets the older half, and the store reports them as forgotten, as the in-memory store does.
   */
  @Test
  void aTracePastItsBoundOnFlushedSpansCountsTheSpansItForgot() {
    try (RedisSegmentStore store = connect(redis.get(), "bound")) {
      store.acquire(0);
      Instant now = T0;
      store.add(0, TestSpans.parsed(span(1)), POLICY, now);
      for (long next = 2; next < 120_000; ) {
        List<Span> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
          batch.add(span(next++).parent(1).parsed());
        }
        store.add(0, batch, POLICY, now);
        now = now.plusSeconds(11);
        SegmentStoreContract.flushAll(store);
      }
      assertThat(store.usage().forgottenSpans()).isPositive();
    }
  }

  /**
   * One trace that never goes quiet: its root stays, children arrive in batches and its segment flushes again and
   * again (continuations). 30 MB of payload go through; the changelog never holds more than a fifth of them, since
   * compaction replaces flushed payloads by the ids the store remembers; and a new owner replays it to the same
   * state.
   */
  @Test
  void aHotTraceKeepsItsChangelogBoundedByCompaction() {
    long payload = 0;
    long peak = 0;
    try (RedisSegmentStore store = connect(redis.get(), "hot")) {
      store.acquire(0);
      Instant now = T0;
      store.add(0, TestSpans.parsed(span(1)), POLICY, now);
      long next = 2;
      for (int round = 0; round < 300; round++) {
        List<Span> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          Span s = span(next++).parent(1).padding(1000).parsed();
          batch.add(s);
          payload += s.size();
        }
        store.add(0, batch, POLICY, now);
        now = now.plusSeconds(11);
        for (DueSegment due : store.due(0, now, 10)) {
          SealedSegment sealed = store.seal(due.key(), now);
          assertThat(sealed).isNotNull();
          assertThat(store.read(sealed)).hasSize(round == 0 ? 101 : 100);
          store.complete(sealed, false);
        }
        peak = Math.max(peak, memoryUsage(redis.get(), changelog(redis.get(), "hot")));
      }
      assertThat(redis.get().cli("EVAL", "return string.byte(redis.call('LINDEX', KEYS[1], 0), 2)", "1",
          changelog(redis.get(), "hot")).strip()).as("the type of the changelog's first record: a snapshot").isEqualTo("5");
    }
    assertThat(payload).isGreaterThan(30_000_000);
    assertThat(peak).as("peak changelog bytes of %,d payload bytes", payload).isLessThan(payload / 5);

    try (RedisSegmentStore next = connect(redis.get(), "hot")) {
      next.acquire(0);
      assertThat(next.usage().spans()).isZero();
      assertThat(next.add(0, TestSpans.parsed(span(2).parent(1).padding(1000)), POLICY, T0).duplicateCount())
          .as("the new owner remembers flushed spans").isOne();
      next.add(0, TestSpans.parsed(span(1_000_000).parent(1)), POLICY, T0);
      SealedSegment late = next.seal(next.due(0, T0.plusSeconds(3600), 1).get(0).key(), T0);
      assertThat(late).isNotNull();
      assertThat(late.key().segmentId()).as("a late child joins the root's segment").isEqualTo(1);
      assertThat(late.generation()).isEqualTo(300);
    }
  }

  /** Near Redis's memory limit, flushing frees memory: compaction drops what the flushes completed. */
  @Test
  void nearTheMemoryLimitFlushesAreCompactedAway() {
    try (RedisServers limited = RedisServers.standalone();
        RedisSegmentStore store = connect(limited, "full")) {
      store.acquire(0);
      addFortyTraces(store);
      long used = usedMemory(limited);
      limited.cli("CONFIG", "SET", "maxmemory", Long.toString(used + 300 * 1024));
      for (DueSegment due : store.due(0, T0.plusSeconds(3600), 100)) {
        SealedSegment sealed = store.seal(due.key(), T0);
        assertThat(sealed).isNotNull();
        store.complete(sealed, false);
      }
      assertThat(limited.cli("EVAL", "return string.byte(redis.call('LINDEX', KEYS[1], 0), 2)", "1",
          changelog(limited, "full")).strip()).as("the type of the changelog's first record: a snapshot").isEqualTo("5");
      assertThat(usedMemory(limited)).as("memory freed").isLessThan(used - 200 * 1024);
    }
  }

  /**
   * With room in Redis, compaction appends the snapshot with a plain RPUSHX and trims the records before it (a script
   * would copy the snapshot into Lua and back); over {@code maxmemory}, where that append is refused, the snapshot
   * replaces the changelog by script. Either way the changelog is one snapshot, and a new owner finds the state.
   */
  @Test
  void compactionAppendsAndTrimsWithRoomAndRunsItsScriptOverTheLimit() {
    for (boolean full : new boolean[] {false, true}) {
      String prefix = full ? "trim-full" : "trim";
      try (RedisServers server = RedisServers.standalone(); RedisSegmentStore store = connect(server, prefix)) {
        store.acquire(0);
        addFortyTraces(store);
        if (full) {
          server.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(server) / 2));
        }
        SegmentStoreContract.flushAll(store);
        String log = changelog(server, prefix);
        assertThat(server.cli("LLEN", log).strip()).isEqualTo("1");
        assertThat(server.cli("EVAL", "return string.byte(redis.call('LINDEX', KEYS[1], 0), 2)", "1", log).strip())
            .as("the type of the changelog's only record: a snapshot").isEqualTo("5");
        String commands = server.cli("INFO", "commandstats");
        if (full) {
          assertThat(commands).as("replaced by compact.lua over the limit").contains("cmdstat_del:");
        } else {
          assertThat(commands).as("trimmed by LTRIM, no script").contains("cmdstat_ltrim:").doesNotContain("cmdstat_del:");
        }
        try (RedisSegmentStore next = connect(server, prefix)) {
          next.acquire(0);
          assertThat(next.usage().spans()).isZero();
          assertThat(next.add(0, TestSpans.parsed(span(101).parent(100).padding(1000)), POLICY, T0)
              .duplicateCount()).as("the new owner remembers flushed spans").isOne();
        }
      }
    }
  }

  /**
   * A Redis filled to its {@code maxmemory} by records that flushes then made dead, fewer of them than {@code
   * compactionBytes} (1 MiB here; in simulation seed 192, fewer than the snapshot of the ids the shard remembers):
   * compaction frees them at the limit, and the store takes batches again (before: every batch was refused for good,
   * as the dead bytes could never grow to the threshold). The span added then comes out.
   */
  @Test
  void aRedisFullOfFlushedRecordsBelowTheCompactionThresholdFreesThemAndTakesBatchesAgain() {
    try (RedisServers limited = RedisServers.standalone()) {
      RedisStoreOptions options =
          options(limited, "stall").compactionBytes(1024 * 1024).build();
      long next = 1;
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        store.acquire(0);
        limited.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(limited) + 200 * 1024));
        store.check(); // reads the limit now
        boolean refused = false;
        for (int batch = 0; batch < 1000 && !refused; batch++) {
          List<Span> spans = trace(next);
          next += spans.size();
          try {
            store.add(0, spans, POLICY, T0);
          } catch (SegbufException e) {
            refused = true;
          }
        }
        assertThat(refused).as("Redis full").isTrue();
        Instant later = T0.plusSeconds(3600);
        for (DueSegment due : store.due(0, later, 1000)) {
          SealedSegment sealed = store.seal(due.key(), later);
          assertThat(sealed).isNotNull();
          store.complete(sealed, false);
        }
        assertThat(store.usage().spans()).isZero();

        store.add(0, List.of(span(next).padding(200).parsed()), POLICY, later);
        assertThat(limited.cli("EVAL", "return string.byte(redis.call('LINDEX', KEYS[1], 0), 2)", "1",
            changelog(limited, "stall")).strip()).as("the changelog's first record: a snapshot").isEqualTo("5");
      }
      assertThat(flushedByANewOwner(options, T0.plusSeconds(7200))).as("the span added once Redis had room").containsExactly(next);
    }
  }

  /**
   * The dead records that fill Redis are another shard's, one that sees no change: a batch Redis refused compacts
   * the store's other shards, and the next one gets in (before: refused for good, the shard holding the dead records
   * never compacted, as nothing was appended to it; simulation seed 1105).
   */
  @Test
  void aBatchRefusedAtTheLimitCompactsTheDeadRecordsOfAnIdleShard() {
    try (RedisServers limited = RedisServers.standalone()) {
      RedisStoreOptions options =
          options(limited, "idle").compactionBytes(1024 * 1024).build();
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        store.acquire(0);
        store.acquire(1);
        limited.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(limited) + 200 * 1024));
        store.check(); // reads the limit now
        long next = fillUntilRefused(store, deadRecordsOnShard0(store));

        store.add(1, trace(next), POLICY, T0);
      }
    }
  }

  /**
   * The dead records that fill Redis are those of another process's idle shard: that process's input is never refused,
   * so only its flush cycle can compact them; the other process's batches get in again (before: refused for good;
   * simulation seed 92523).
   */
  @Test
  void aFlushCycleAtTheLimitCompactsTheDeadRecordsOfAnIdleShardOfAnotherProcess() {
    try (RedisServers limited = RedisServers.standalone()) {
      RedisStoreOptions options = options(limited, "other").compactionBytes(1024 * 1024).build();
      try (RedisSegmentStore idle = RedisSegmentStore.connect(options);
          RedisSegmentStore busy = RedisSegmentStore.connect(options)) {
        idle.acquire(0);
        busy.acquire(1);
        limited.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(limited) + 200 * 1024));
        idle.check(); // reads the limit now
        busy.check();
        long next = fillUntilRefused(busy, deadRecordsOnShard0(idle));

        idle.check(); // the idle process reads Redis at its limit
        assertThat(idle.due(0, T0.plusSeconds(3600), 1000)).isEmpty();
        busy.add(1, trace(next), POLICY, T0);
      }
    }
  }

  /**
   * The changelog is a snapshot of the ids of 5,000 flushed spans, which the store then forgets (a newer trace flushed
   * past recentlyFlushedSpans=5,000 evicts their trace), with Redis at its limit: the next snapshot is a few hundred
   * bytes, and compaction frees the ~250 KB of ids, so the next batch gets in. Before, the next snapshot was taken to
   * carry the last one's ids over, the few hundred bytes appended since were under a quarter of them, and Redis
   * refused every batch for good (simulation seed 100667).
   */
  @Test
  void aSnapshotOfIdsForgottenSinceIsCompactedAwayAtTheLimit() {
    try (RedisServers limited = RedisServers.standalone()) {
      RedisStoreOptions options = options(limited, "forgot").recentlyFlushedSpans(5_000).build();
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        store.acquire(0);
        List<Span> wide = new ArrayList<>();
        wide.add(span(1).padding(300).parsed());
        for (long child = 2; child <= 5_000; child++) {
          wide.add(span(child).parent(1).padding(300).parsed());
        }
        store.add(0, wide, POLICY, T0);
        SegmentStoreContract.flushAll(store);
        String log = changelog(limited, "forgot");
        assertThat(limited.cli("LLEN", log).strip()).as("a snapshot of the ids the store remembers").isEqualTo("1");
        long snapshot = memoryUsage(limited, log);
        assertThat(snapshot).isGreaterThan(240_000);
        limited.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(limited) + 16 * 1024));
        store.check(); // reads the limit now

        Span other = span(9_000).trace("00000000000000000000000000000005").parsed();
        store.add(0, List.of(other), POLICY, T0);
        SegmentStoreContract.flushAll(store);
        assertThat(memoryUsage(limited, log)).as("the forgotten ids compacted away").isLessThan(snapshot / 10);

        List<Span> batch = new ArrayList<>();
        for (long id = 10_000; id < 10_100; id++) {
          batch.add(span(id).trace("00000000000000000000000000000006").padding(400).parsed());
        }
        store.add(0, batch, POLICY, T0); // 55 KB: more than Redis had room for before the compaction
      }
    }
  }

  /**
   * Adds 30 traces to shard 0 and flushes them all: shard 0's changelog is then dead records, fewer than
   * compactionBytes. Returns the next span id.
   */
  private static long deadRecordsOnShard0(RedisSegmentStore store) {
    long next = 1;
    for (int batch = 0; batch < 30; batch++, next += 5) {
      store.add(0, trace(next), POLICY, T0);
    }
    Instant later = T0.plusSeconds(3600);
    for (DueSegment due : store.due(0, later, 1000)) {
      SealedSegment sealed = store.seal(due.key(), later);
      assertThat(sealed).isNotNull();
      store.complete(sealed, false);
    }
    assertThat(store.usage().spans()).as("shard 0's records all dead, below compactionBytes").isZero();
    return next;
  }

  /** Adds traces to shard 1 from span id {@code next} until Redis refuses one; returns the next span id. */
  private static long fillUntilRefused(RedisSegmentStore store, long next) {
    for (int batch = 0; batch < 1000; batch++, next += 5) {
      try {
        store.add(1, trace(next), POLICY, T0);
      } catch (SegbufException e) {
        return next;
      }
    }
    throw new AssertionError("Redis never refused a batch: it is not full");
  }

  /** A root and four children of 200 bytes of padding each, the first id {@code root}. */
  private static List<Span> trace(long root) {
    List<Span> spans = new ArrayList<>();
    spans.add(span(root).padding(200).parsed());
    for (long child = root + 1; child < root + 5; child++) {
      spans.add(span(child).parent(root).padding(200).parsed());
    }
    return spans;
  }

  /**
   * A batch goes to the changelog as records that each fit jemalloc's 64 KiB size class (parts of exactly 16 KiB of
   * spans were rounded up to the 20 KiB class: a quarter of Redis's memory for the changelog wasted).
   */
  @Test
  void aBatchIsAppendedInRecordsThatFillTheirAllocation() {
    try (RedisSegmentStore store = connect(redis.get(), "parts")) {
      store.acquire(0);
      List<Span> batch = new ArrayList<>();
      batch.add(span(1).padding(1000).parsed());
      for (int c = 2; c <= 1000; c++) {
        batch.add(span(c).parent(1).padding(1000).parsed());
      }
      store.add(0, batch, POLICY, T0);
      String log = changelog(redis.get(), "parts");
      List<Long> lengths = redis.get().cli("EVAL", "local n = {} for i, r in ipairs(redis.call('LRANGE', KEYS[1], 1,"
          + " -1)) do n[i] = #r end return n", "1", log).lines().map(String::strip).map(Long::parseLong).toList();
      assertThat(lengths).hasSizeGreaterThan(10).allSatisfy(
          length -> assertThat(length).isLessThanOrEqualTo(RedisSegmentStore.MAX_RECORD_BYTES));
      long recordBytes = lengths.stream().mapToLong(Long::longValue).sum();
      assertThat(lengths.subList(0, lengths.size() - 1)).as("full parts")
          .allSatisfy(length -> assertThat(length).isGreaterThan(RedisSegmentStore.MAX_RECORD_BYTES - 1200));
      assertThat(memoryUsage(redis.get(), log)).as("Redis memory of the changelog over its bytes")
          .isLessThan(recordBytes * 11 / 10);
    }
  }

  /**
   * A full Redis refuses a batch part way: the parts before the refusal stay in the changelog, the store is rebuilt
   * from it, and the batch read again stores the rest (the stored parts are duplicates). A new owner then flushes
   * every span of the batch exactly once.
   */
  @Test
  void aBatchRefusedPartWayByAFullRedisComesOutWholeOnceReadAgain() {
    try (RedisServers limited = RedisServers.standalone()) {
      RedisStoreOptions options = options(limited, "oom").build();
      List<Span> batch = new ArrayList<>();
      List<Long> expected = new ArrayList<>(List.of(1L, 1000L));
      batch.add(span(1000).padding(1000).parsed());
      for (long c = 1001; c <= 1400; c++) {
        batch.add(span(c).parent(1000).padding(1000).parsed());
        expected.add(c);
      }
      try (RedisSegmentStore store = RedisSegmentStore.connect(options)) {
        store.acquire(0);
        store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
        limited.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(limited) + 150 * 1024));
        assertThatThrownBy(() -> store.add(0, batch, POLICY, T0)).isInstanceOf(SegbufException.class);
        long records = Long.parseLong(limited.cli("LLEN", changelog(limited, "oom")).strip());
        assertThat(records).as("records appended before the refusal").isBetween(3L, 8L);

        limited.cli("CONFIG", "SET", "maxmemory", "0");
        assertThat(store.add(0, batch, POLICY, T0).duplicateCount()).as("the parts stored before the refusal")
            .isPositive().isLessThan(batch.size());
      }
      assertThat(flushedByANewOwner(options, T0.plusSeconds(3600))).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  /** The ids of the spans a new owner of shard 0 flushes at {@code now}; it is left holding none. */
  private static List<Long> flushedByANewOwner(RedisStoreOptions options, Instant now) {
    List<Long> flushed = new ArrayList<>();
    try (RedisSegmentStore next = RedisSegmentStore.connect(options)) {
      next.acquire(0);
      for (DueSegment due : next.due(0, now, 100)) {
        SealedSegment sealed = next.seal(due.key(), now);
        assertThat(sealed).isNotNull();
        next.read(sealed).forEach(s -> flushed.add(s.spanId()));
        next.complete(sealed, false);
      }
      assertThat(next.usage().spans()).isZero();
    }
    return flushed;
  }

  /** The key of shard 0's changelog now. */
  /** Forty traces of a root and eight children, about 9 KiB each, one batch each. */
  private static void addFortyTraces(RedisSegmentStore store) {
    for (int root = 1; root <= 40; root++) {
      List<Span> batch = new ArrayList<>();
      batch.add(span(root * 100L).padding(1000).parsed());
      for (int c = 1; c <= 8; c++) {
        batch.add(span(root * 100L + c).parent(root * 100L).padding(1000).parsed());
      }
      store.add(0, batch, POLICY, T0);
    }
  }

  private static String changelog(RedisServers server, String prefix) {
    return "{" + prefix + ":0}:log:" + server.cli("GET", "{" + prefix + ":0}:epoch").strip();
  }

  private static long usedMemory(RedisServers server) {
    return memoryField(server, "used_memory");
  }

  private static long memoryField(RedisServers server, String name) {
    return Long.parseLong(server.cli("INFO", "memory").lines().filter(l -> l.startsWith(name + ":")).findFirst()
        .orElseThrow().substring(name.length() + 1).strip());
  }

  @Test
  void connectRefusesARedisThatMayEvict() {
    try (RedisServers evicting = RedisServers.standalone()) {
      evicting.cli("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
      assertThatThrownBy(() -> RedisSegmentStore.connect(options(evicting).build()))
          .isInstanceOf(SegbufException.class)
          .hasMessageStartingWith("maxmemory-policy must be noeviction but was volatile-lru");
    }
  }

  /**
   * An owner that dies between a compaction's RPUSHX and its LTRIM leaves the records before the snapshot in the
   * changelog. They are dead, and the next owner counts them so: its next change compacts them away. Not counted
   * (they were taken for nothing once the snapshot was read), they stayed in Redis until the shard's dead bytes grew
   * past the threshold again by themselves, never for a shard that sees no more flushes, also at Redis's maxmemory.
   */
  @Test
  void recordsLeftBeforeASnapshotByALostTrimAreCompactedAwayByTheNextOwner() {
    try (RedisServers server = RedisServers.standalone()) {
      String log;
      try (RedisSegmentStore dying = connect(server, "trim-lost")) {
        dying.acquire(0);
        addFortyTraces(dying);
        log = changelog(server, "trim-lost");
        server.cli("COPY", log, "records");
        SegmentStoreContract.flushAll(dying);
      }
      // the changelog as the LTRIM would have left it had it not been sent: the records, then what followed them
      server.cli("EVAL", "local kept = redis.call('LRANGE', KEYS[1], 0, -1) redis.call('DEL', KEYS[1]) "
          + "for _, r in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do redis.call('RPUSH', KEYS[1], r) end "
          + "for _, r in ipairs(kept) do redis.call('RPUSH', KEYS[1], r) end", "2", log, "records");
      assertThat(memoryUsage(server, log)).as("the records are back before the snapshot").isGreaterThan(300_000);

      try (RedisSegmentStore next = connect(server, "trim-lost")) {
        next.acquire(0);
        assertThat(next.usage().spans()).isZero();
        next.add(0, TestSpans.parsed(span(9_999)), POLICY, T0);

        assertThat(memoryUsage(server, changelog(server, "trim-lost"))).as("the dead records compacted away")
            .isLessThan(100_000);
      }
    }
  }

  /**
   * A shard taken over with more dead records than its compaction allows (a former owner with a larger {@code
   * compactionBytes}, or whose compactions failed before it lost the shard) is compacted by the takeover. Before, only
   * a change of the new owner's compacted it: a partition that receives nothing more kept them in Redis for good
   * (SimulationTest seed 92634 on Redis: 85 KB of dead records behind a snapshot of 11 KB after the faults stopped).
   */
  @Test
  void aTakeoverCompactsTheDeadRecordsItFinds() {
    try (RedisServers server = RedisServers.standalone()) {
      try (RedisSegmentStore former = RedisSegmentStore.connect(
          options(server, "dead").compactionBytes(64L * 1024 * 1024).build())) {
        former.acquire(0);
        addFortyTraces(former);
        SegmentStoreContract.flushAll(former);
      }
      assertThat(memoryUsage(server, changelog(server, "dead"))).as("never compacted").isGreaterThan(300_000);

      try (RedisSegmentStore next = connect(server, "dead")) {
        next.acquire(0);

        assertThat(memoryUsage(server, changelog(server, "dead"))).as("compacted by the takeover").isLessThan(100_000);
        assertThat(next.add(0, TestSpans.parsed(span(101).parent(100).padding(1000)), POLICY, T0).duplicateCount())
            .as("the new owner remembers flushed spans").isOne();
      }
    }
  }

  /**
   * A batch Redis refuses at its {@code maxmemory} is refused by the store for a reason of its own, not of the spans:
   * a consumer reads them again instead of copying them to its dead-letter topic (committed, never flushed).
   */
  @Test
  void aBatchRedisRefusesAtItsMaxmemoryIsTheStoresRefusalNotTheSpans() {
    try (RedisServers full = RedisServers.standalone(); RedisSegmentStore store = RedisSegmentStore.connect(
        RedisStoreOptions.builder().uri(full.uri()).keyPrefix("oom").build())) {
      store.acquire(0);
      store.add(0, TestSpans.parsed(span(1)), POLICY, T0);
      full.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(full) / 2));

      assertThatThrownBy(() -> store.add(0, TestSpans.parsed(span(2).parent(1)), POLICY, T0))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("OOM");
    }
  }

  /**
   * A span whose changelog record is larger than any Redis's {@code maxmemory} leaves beyond what Redis used when it
   * started can never be stored: it is refused as the span's, not the store's, so that a consumer copies it to its
   * dead-letter topic instead of reading it again for good (its partition stalled behind it), and the shard goes on.
   */
  @Test
  void aSpanLargerThanRedisCanEverHoldIsRefusedForItselfAndTheShardGoesOn() {
    try (RedisServers small = RedisServers.standalone()) {
      long max = usedMemory(small) + 4 * 1024 * 1024;
      small.cli("CONFIG", "SET", "maxmemory", Long.toString(max));
      try (RedisSegmentStore store = RedisSegmentStore.connect(
          RedisStoreOptions.builder().uri(small.uri()).keyPrefix("huge").build())) {
        store.acquire(0);
        List<Span> batch = TestSpans.parsed(span(1), span(2).parent(1).padding((int) max));

        assertThatThrownBy(() -> store.add(0, batch, POLICY, T0)).isInstanceOf(SegbufException.class)
            .isNotInstanceOf(StoreUnavailableException.class).hasMessageContaining("maxmemory");
        store.add(0, TestSpans.parsed(span(1), span(3).parent(1)), POLICY, T0);
        assertThat(store.usage().spans()).isEqualTo(2);
      }
    }
  }

  /**
   * A span whose record is smaller than Redis's maxmemory but larger than an empty master takes (its maxmemory less
   * its own structures, {@code used_memory_startup}, and 64 KiB for the clients, over the two and a half copies of a
   * record Redis holds while it decides) is refused for itself: Redis refused it every time, as the store's refusal,
   * so that it was read again for good and its partition stalled behind it. A span a little within that is stored.
   */
  @Test
  void aSpanLargerThanAnEmptyRedisTakesIsRefusedForItselfAndOneWithinItIsStored() {
    try (RedisServers small = RedisServers.standalone()) {
      long room = 4 * 1024 * 1024;
      small.cli("CONFIG", "SET", "maxmemory", Long.toString(memoryField(small, "used_memory_startup") + room));
      long largest = (room - 64 * 1024) * 2 / 5;
      try (RedisSegmentStore store = RedisSegmentStore.connect(
          RedisStoreOptions.builder().uri(small.uri()).keyPrefix("empty").build())) {
        store.acquire(0);
        List<Span> half = TestSpans.parsed(span(2).parent(1).padding((int) room / 2));

        assertThatThrownBy(() -> store.add(0, half, POLICY, T0)).isInstanceOf(SegbufException.class)
            .isNotInstanceOf(StoreUnavailableException.class).hasMessageContaining("empty Redis master");
        store.add(0, TestSpans.parsed(span(3).parent(1).padding((int) largest - 1_000)), POLICY, T0);
        assertThat(store.usage().spans()).isOne();
      }
    }
  }

  /**
   * In a cluster whose masters have different {@code maxmemory}, a span that the roomiest master would take but the
   * master holding its shard's changelog never takes is refused for itself too: bounded by the roomiest master alone,
   * it was refused by its own master every time, as the store's refusal, read again for good, and its partition
   * stalled behind it.
   */
  @Test
  void aSpanItsShardsMasterNeverTakesIsRefusedForItselfWhereAnotherMasterIsRoomier() {
    try (RedisServers cluster = RedisServers.cluster()) {
      cluster.cliAll("CONFIG", "SET", "maxmemory", Long.toString(256L * 1024 * 1024));
      long room = 4 * 1024 * 1024;
      cluster.cli("CONFIG", "SET", "maxmemory", Long.toString(memoryField(cluster, "used_memory_startup") + room));
      int shard = firstShardOnTheFirstMaster(cluster, "uneven");
      try (RedisSegmentStore store = RedisSegmentStore.connect(
          RedisStoreOptions.builder().uris(cluster.uris()).cluster(true).keyPrefix("uneven").build())) {
        store.acquire(shard);
        List<Span> half = TestSpans.parsed(span(2).parent(1).padding((int) room / 2));

        assertThatThrownBy(() -> store.add(shard, half, POLICY, T0)).isInstanceOf(SegbufException.class)
            .isNotInstanceOf(StoreUnavailableException.class).hasMessageContaining("empty Redis master");
        store.add(shard, TestSpans.parsed(span(3).parent(1)), POLICY, T0);
        assertThat(store.usage().spans()).isOne();
      }
    }
  }

  /** The first shard whose keys' hash slot the cluster's first master serves. */
  private static int firstShardOnTheFirstMaster(RedisServers cluster, String prefix) {
    String myself = cluster.cli("CLUSTER", "NODES").lines().filter(l -> l.contains("myself")).findFirst()
        .orElseThrow();
    String[] fields = myself.strip().split(" ");
    for (int shard = 0; ; shard++) {
      int slot = Integer.parseInt(cluster.cli("CLUSTER", "KEYSLOT", "{" + prefix + ":" + shard + "}").strip());
      for (int i = 8; i < fields.length; i++) {
        String[] range = fields[i].split("-");
        if (slot >= Integer.parseInt(range[0]) && slot <= Integer.parseInt(range[range.length - 1])) {
          return shard;
        }
      }
    }
  }

  /**
   * A record found undecodable when the owner rebuilds its shard (after an append that failed) stops the shard as it
   * stops a takeover: the shard is not served again, and its stale state no longer counts as held. Counted, its spans,
   * which no flush can free, kept the consumer's memory backpressure pausing every partition for good (SimulationTest
   * seed 50988 on Redis: partitions 0 and 2 stalled behind shard 3).
   */
  @Test
  void aRecordFoundUndecodableAtARebuildLeavesTheShardUnservedAndUncounted() {
    try (RedisServers server = RedisServers.standalone(); RedisSegmentStore store = RedisSegmentStore.connect(
        RedisStoreOptions.builder().uri(server.uri()).keyPrefix("rot").build())) {
      store.acquire(0);
      store.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      String log = changelog(server, "rot");
      server.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(server) / 2));
      assertThatThrownBy(() -> store.add(0, TestSpans.parsed(span(3).parent(1)), POLICY, T0))
          .as("refused at maxmemory: the shard is read again before its next use").isInstanceOf(SegbufException.class);
      server.cli("CONFIG", "SET", "maxmemory", "0");
      server.cli("LSET", log, "1", "garbage");

      for (int use = 0; use < 2; use++) {
        assertThatThrownBy(() -> store.due(0, T0.plusSeconds(3600), 10)).isInstanceOf(SegbufException.class)
            .hasMessageContaining("changelog record at offset 1").hasMessageContaining("does not decode");
      }
      assertThat(store.usage().spans()).as("spans of a shard no flush can reach").isZero();
      assertThat(store.shards()).isEmpty();
      assertThat(server.cli("LLEN", log).strip()).as("nothing was dropped").isEqualTo("2");
    }
  }

  /**
   * A snapshot record whose state does not restore (a span's length rotted to 2^31 - 1) stops the shard at a rebuild as
   * an undecodable record does: refused once, and then for good without being read again. Before, the length was
   * allocated (an OutOfMemoryError, which no caller took for an unreadable changelog), and the shard was read again,
   * and failed again, at every use.
   */
  @Test
  void aSnapshotThatDoesNotRestoreLeavesTheShardUnservedNotReadAgainAtEveryUse() {
    try (RedisServers server = RedisServers.standalone(); RedisSegmentStore store = RedisSegmentStore.connect(
        options(server, "rotten").compactionBytes(1024).build())) {
      store.acquire(0);
      store.add(0, TestSpans.parsed(span(100).parent(99)), POLICY, T0); // no root: due after 60 s only
      store.add(0, TestSpans.parsed(span(1), span(2).parent(1).padding(8_000)), POLICY, T0);
      List<DueSegment> due = store.due(0, T0.plusSeconds(15), 10);
      assertThat(due).hasSize(1);
      SealedSegment sealed = store.seal(due.get(0).key(), T0);
      assertThat(sealed).isNotNull();
      store.complete(sealed, false);
      String log = changelog(server, "rotten");
      assertThat(server.cli("EVAL", "return string.byte(redis.call('LINDEX', KEYS[1], 0), 2)", "1", log).strip())
          .as("the type of the changelog's first record: a snapshot").isEqualTo("5");
      server.cli("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(server) / 2));
      assertThatThrownBy(() -> store.add(0, TestSpans.parsed(span(101).parent(99)), POLICY, T0))
          .as("refused at maxmemory: the shard is read again before its next use").isInstanceOf(SegbufException.class);
      server.cli("CONFIG", "SET", "maxmemory", "0");
      // the four bytes before the buffered span's JSON are its length
      server.cli("EVAL", "local r = redis.call('LINDEX', KEYS[1], 0) local at = string.find(r, '{\"', 3, true) "
          + "redis.call('LSET', KEYS[1], 0, string.sub(r, 1, at - 5) .. struct.pack('>i4', 2147483647) "
          + ".. string.sub(r, at))", "1", log);

      Throwable first = catchThrowable(() -> store.due(0, T0.plusSeconds(3600), 10));
      assertThat(first).isInstanceOf(SegbufException.class).hasMessageContaining("changelog record at offset 0")
          .hasMessageContaining("does not decode");
      assertThat(catchThrowable(() -> store.due(0, T0.plusSeconds(3600), 10))).as("not read again").isSameAs(first);
      assertThat(store.usage().spans()).as("spans of a shard no flush can reach").isZero();
    }
  }

  /** A record that does not decode is never taken for anything: the shard is not served, with shard and offset. */
  @Test
  void anUndecodableRecordFailsTheTakeoverWithItsShardAndOffset() {
    try (RedisSegmentStore first = connect(redis.get(), "corrupt");
        RedisSegmentStore next = connect(redis.get(), "corrupt")) {
      first.acquire(3);
      first.add(3, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
      long epoch = Long.parseLong(redis.get().cli("GET", "{corrupt:3}:epoch").strip());
      redis.get().cli("RPUSH", "{corrupt:3}:log:" + epoch, "garbage");

      String expected = "shard 3 changelog record at offset 2 (epoch " + (epoch + 1) + ") does not decode: format"
          + " version must be 1 but was 103";
      assertThatThrownBy(() -> next.acquire(3)).isInstanceOf(SegbufException.class).hasMessage(expected);
      assertThatThrownBy(() -> next.add(3, TestSpans.parsed(span(3).parent(1)), POLICY, T0))
          .as("refused, not taken over at its first use").isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("shard 3 is not held by this store");
      assertThatThrownBy(() -> next.acquire(3)).as("taken over again, and refused again")
          .isInstanceOf(SegbufException.class)
          .hasMessageContaining("changelog record at offset 2 (epoch " + (epoch + 2) + ") does not decode");
      assertThat(redis.get().cli("LLEN", "{corrupt:3}:log:" + (epoch + 2)).strip()).as("nothing was dropped")
          .isEqualTo("3");
    }
  }
}
