package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link ServiceSimulation} over many seeds: {@value #DEFAULT_SEEDS} in the build; {@code
 * -Dsegbuf.simulation.seeds=N} (or the {@code simulation} profile) runs N from {@code segbuf.simulation.firstSeed}
 * (default 1), and {@code -Dsegbuf.simulation.seed=S} replays seed S alone. Each seed draws its store, the in-memory
 * one or Redis's over a simulated Redis; {@code -Dsegbuf.simulation.store=memory} (or {@code redis}) runs every seed
 * with one. A seed that fails prints the command that replays it and the events that led there.
 */
class SimulationTest {
  static final int DEFAULT_SEEDS = 1000;
  private static final int TRACE_LINES_SHOWN = 120;
  private static final int VIOLATIONS_SHOWN = 10;

  @Test
  void noSeedLosesReIdsOrStallsASpan() {
    String replay = System.getProperty("segbuf.simulation.seed");
    long first = replay != null ? Long.parseLong(replay) : Long.getLong("segbuf.simulation.firstSeed", 1);
    int seeds = replay != null ? 1 : Integer.getInteger("segbuf.simulation.seeds", DEFAULT_SEEDS);
    long inputs = 0;
    long outputs = 0;
    long processes = 0;
    for (long seed = first; seed < first + seeds; seed++) {
      ServiceSimulation.Result result = ServiceSimulation.run(seed);
      if (!result.passed()) {
        result.trace().forEach(System.out::println);
        throw new AssertionError(failure(result, seed - first + 1));
      }
      inputs += result.inputRecords();
      outputs += result.outputMessages();
      processes += result.processesStarted();
    }
    System.out.printf("simulation: %d seeds from %d passed: %d input records, %d output messages, %d processes%n",
        seeds, first, inputs, outputs, processes);
  }

  /**
   * Seeds that found a bug, kept whatever the build's seed count: 937 (laggingFlushCycles=1, maxFlushSegments=3): a
   * partition assigned again with a backlog, while its shard still held segments from before, was flushed once at
   * the wall clock (the store over its byte limit) and paused for its flush lag before it had offered a record;
   * with no time of its own it was never flushed again, so never resumed: committed at 0 for ever.
   */
  @Test
  void seedsThatOnceFailedPass() {
    for (long seed : new long[] {937}) {
      ServiceSimulation.Result result = ServiceSimulation.run(seed, "");
      if (!result.passed()) {
        throw new AssertionError(failure(result, 1));
      }
    }
  }

  /**
   * Redis seeds that found a bug (the draws of a seed moved with later changes, so each guards its bug as it was
   * found): 10936: Redis above its maxmemory refused the partition's batch while every segment its shard held was
   * backed off after failed flushes (Redis commands lost); read again and again, the batch never moved the
   * partition's event time past their back-off, so nothing flushed, nothing freed memory, and the partition stalled
   * with 54 spans. 50988 (and 40610): an owner whose append failed found, rebuilding the shard, a changelog record
   * that had rotted since; the shard was refused as it should be, but its stale state still counted in the store's
   * usage (10 segments, 7,336 bytes, above pauseAboveBufferedBytes' resume level), so memory backpressure kept every
   * partition of the process paused for good: partitions 0 and 2 stalled behind shard 3. 96525: a takeover between a
   * compaction's RPUSHX and its LTRIM left records before the snapshot, which the next owner counted as nothing, so
   * they stayed; Redis stayed over its maxmemory and every partition stalled. 92634: a new owner found more dead records
   * than its compaction allows and, its partition receiving nothing more, never compacted them (85 KB behind a snapshot
   * of 11 KB, past the memory bound). 100667: at Redis's maxmemory, a shard's changelog held a snapshot of ids it had
   * forgotten since; compaction took the next snapshot to carry them over, the few bytes dead since were under a quarter
   * of that, so it never compacted, and Redis stayed full for good (partition 0 stalled). 402729: a shard's changelog
   * held a record that does not decode, and Redis, too small for the shards' state (the ids they remember), stayed
   * above its maxmemory; the check that allows that stall skipped any run with an undecodable shard, and called it a
   * stall of partitions 0 and 2.
   */
  @Test
  void redisSeedsThatOnceFailedPass() {
    for (long seed : new long[] {10936, 40610, 50988, 96525, 92634, 100667, 402729}) {
      ServiceSimulation.Result result = ServiceSimulation.run(seed, "redis");
      if (!result.passed()) {
        throw new AssertionError(failure(result, 1));
      }
    }
  }

  @Test
  void aSeedReplaysExactly() {
    ServiceSimulation.Result once = ServiceSimulation.run(42);
    ServiceSimulation.Result again = ServiceSimulation.run(42);

    assertThat(again.trace()).isEqualTo(once.trace());
    assertThat(once.outputMessages()).as("the seed does something").isPositive();
  }

  private static String shown(List<String> violations) {
    return violations.size() <= VIOLATIONS_SHOWN ? violations.toString()
        : violations.subList(0, VIOLATIONS_SHOWN) + " and " + (violations.size() - VIOLATIONS_SHOWN) + " more";
  }

  private static String failure(ServiceSimulation.Result result, long seedsRun) {
    List<String> trace = result.trace();
    StringBuilder b = new StringBuilder();
    b.append(String.format("seed %d failed (seed %d of this run): %s%nreplay: mvn -B -pl kafka-adapter -am test "
        + "-Dtest=SimulationTest -Dsegbuf.simulation.seed=%d -Dsurefire.failIfNoSpecifiedTests=false%n",
        result.seed(), seedsRun, shown(result.violations()), result.seed()));
    b.append(String.format("last %d of %d events (all of them in the test's output):%n",
        Math.min(TRACE_LINES_SHOWN, trace.size()), trace.size()));
    trace.subList(Math.max(0, trace.size() - TRACE_LINES_SHOWN), trace.size())
        .forEach(line -> b.append(line).append('\n'));
    return b.toString();
  }
}
