package io.segbuf.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.ChunkingStrategy;
import io.segbuf.SegbufException;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.TraceFailingStore;
import io.segbuf.TraceId;
import io.segbuf.spi.SegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.redis.SimulatedRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * A deterministic simulation of the Kafka service: the real {@link SpanConsumer} loop, {@link SpanBuffer}, in-memory
 * store and {@link KafkaSegmentSink}, in one or two processes of one consumer group, over a {@link SimulatedKafka}
 * and {@link SimulatedProducer}s, on one thread and one {@link TestClock}; every choice (traffic, batch sizes,
 * rebalances, lost partitions, crashes, sink and store faults, clock jumps) is drawn from one seed, so a seed replays
 * exactly; with the Redis store, a process that lost a partition acts on it until its next poll (a zombie). Faults run
 * for a number of steps, then stop; the service is given time to settle, and the invariants are
 * checked:
 *
 * <ul>
 *   <li>whenever the group's committed offset passes a span, that span is already out, or (with the Redis store) in
 *       its shard's changelog, so a crash then loses nothing; at the end every valid input span is out at least once;
 *   <li>one {@code flush_id} names one byte string across the whole run, every process included;
 *   <li>no message exceeds {@code maxMessageBytes} unless it holds one span;
 *   <li>no partition stalls once the faults stop: every partition is committed to its end, but for one with the
 *       span of a trace that no store can flush (in a quarter of the seeds), which must hold its partition's commit
 *       back and keep no other span from coming out; and, with the Redis store, for one whose changelog holds a record
 *       that does not decode (a bit rotted, in a tenth of the seeds) or when Redis is too small for the shards' state
 *       (see {@link #redisTooSmall}): each span of such a partition is then out, in its changelog, or not committed;
 *   <li>a shard whose changelog record does not decode is never served: no changelog is written after its owner read
 *       such a record of it;
 *   <li>the loop never throws.
 * </ul>
 */
final class ServiceSimulation {
  static final String INPUT = "ingest-spans";
  static final String OUTPUT = "buffered-segments";
  private static final Instant START = Instant.ofEpochSecond(1_700_000_000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SETTLE_ROUNDS = 200;
  private static final int MAX_REQUEST_SIZE = 1_048_576;

  /** What a seed did and what it found. */
  record Result(long seed, List<String> violations, List<String> trace, int inputRecords, int outputMessages,
      int processesStarted) {
    boolean passed() {
      return violations.isEmpty();
    }
  }

  /** One service process: its clients, store, buffer and consumer loop. */
  private final class Process {
    final int id;
    final SimulatedConsumer kafkaConsumer;
    final SimulatedProducer producer;
    final TraceFailingStore store;
    final SpanBuffer buffer;
    final SpanConsumer loop;

    Process(int id) {
      this.id = id;
      kafkaConsumer = new SimulatedConsumer(kafka, polls, maxPollRecords);
      producer = new SimulatedProducer(ServiceSimulation.this::fate, ServiceSimulation.this::deliver);
      SimulatedRedis r = redis;
      store = new TraceFailingStore(r == null ? SegmentStore.inMemory(recentlyFlushedSpans, flushedSpansPerTrace)
          : r.store(redisOptions, new RedisFaults(this), () -> clock.millis() * 1_000_000));
      refuseUnflushable(store);
      store.onAdd(spans -> spans.forEach(span -> stored.merge(hex(span.spanId()), 1, Integer::sum)));
      buffer = SpanBuffer.create(bufferConfig, store, new KafkaSegmentSink(producer, OUTPUT, MAX_REQUEST_SIZE));
      loop = new SpanConsumer(kafkaConsumer, null, consumerOptions, buffer);
      loop.subscribeForSteps();
    }
  }

  private enum SinkMode { HEALTHY, FLAKY, OUTAGE }

  private enum RedisMode { HEALTHY, FLAKY, DOWN }

  /** One process's connection to the simulated Redis: the fate of each command it sends. */
  private final class RedisFaults implements SimulatedRedis.Faults {
    private final Process process;

    RedisFaults(Process process) {
      this.process = process;
    }

    @Override
    public SimulatedRedis.Fate next(String command, String key) {
      SimulatedRedis.Fate fate = faulty ? draw() : SimulatedRedis.Fate.OK;
      if (command.equals("takeover.lua") || fate != SimulatedRedis.Fate.OK) {
        note("process %d: %s %s %s", process.id, command, key, fate);
      }
      return fate;
    }

    /**
     * A command answered may instead have been applied twice: applied, its answer lost, and sent again on the next
     * connection (drawn from a stream of its own, so that the other draws stay those of the seeds before this fault).
     */
    private SimulatedRedis.Fate draw() {
      int r = redisFates.nextInt(100);
      SimulatedRedis.Fate fate = switch (redisMode) {
        case HEALTHY -> r < 98 ? SimulatedRedis.Fate.OK : r < 99 ? SimulatedRedis.Fate.LOST
            : SimulatedRedis.Fate.APPLIED_BUT_TIMED_OUT;
        case FLAKY -> r < 80 ? SimulatedRedis.Fate.OK : r < 90 ? SimulatedRedis.Fate.LOST
            : SimulatedRedis.Fate.APPLIED_BUT_TIMED_OUT;
        case DOWN -> SimulatedRedis.Fate.LOST;
      };
      int resentPercent = redisMode == RedisMode.FLAKY ? 5 : 1;
      return fate == SimulatedRedis.Fate.OK && resends.nextInt(100) < resentPercent ? SimulatedRedis.Fate.APPLIED_TWICE
          : fate;
    }

    /**
     * Before a write, another process may run a cycle: a zombie's write may meet the takeover of the process the
     * group gave its partition to (half the time when there is one), between two pipelined appends even; or the
     * writer's partition is lost right now (its session timed out) and given to another process, whose cycle takes
     * the shard over while the writer goes on with its batch and its flush.
     */
    @Override
    public void beforeWrite(String key) {
      if (!faulty || interleaving || !processes.contains(process)) {
        return;
      }
      Process other = null;
      TopicPartition tp = kafka.partition(shardOf(key));
      SimulatedConsumer owner = kafka.owner(tp);
      if (owner != process.kafkaConsumer && owner != null && redisFates.nextBoolean()) {
        for (Process p : processes) {
          if (p.kafkaConsumer == owner) {
            other = p;
          }
        }
      } else if (owner == process.kafkaConsumer && redisFates.nextInt(40) == 0) {
        if (processes.size() == 1) {
          start();
        }
        other = processes.get(processes.get(0) == process ? 1 : 0);
        note("%s lost by process %d while it writes, and assigned to process %d", tp, process.id, other.id);
        process.kafkaConsumer.loseNow(tp);
        other.kafkaConsumer.assignLater(tp);
      } else if (processes.size() > 1 && redisFates.nextInt(50) == 0) {
        other = processes.get(redisFates.nextInt(processes.size()));
      }
      if (other != null && other != process) {
        note("process %d's cycle runs before process %d writes %s", other.id, process.id, key);
        interleaving = true;
        try {
          cycle(other);
        } finally {
          interleaving = false;
        }
      }
    }
  }

  /** The shard of a key {@code {<prefix>:<shard>}:…}. */
  private static int shardOf(String key) {
    return Integer.parseInt(key.substring(key.indexOf(':') + 1, key.indexOf('}')));
  }

  private final long seed;
  /** Separate streams, so that a change in how often one is drawn from does not move the others. */
  private final Random events;
  private final Random fates;
  private final Random polls;
  /** Draws what a zombie does; seeded apart from the others, so that the seeds before it kept their draws. */
  private final Random zombies;
  private final TestClock clock = new TestClock(START);
  private final SimulatedKafka kafka;

  private final int maxProcesses;
  private final int maxPollRecords;
  private final int steps;
  private final int recentlyFlushedSpans;
  private final int flushedSpansPerTrace;
  private final SpanBufferConfig bufferConfig;
  private final SpanConsumerOptions consumerOptions;

  /** The Redis every process's store shares, or null: the seed runs the in-memory store. */
  private final @Nullable SimulatedRedis redis;
  private final RedisStoreOptions redisOptions;
  private final Random redisFates;
  /** Which commands answered were applied twice (see {@link RedisFaults#draw}). */
  private final Random resends;
  private RedisMode redisMode = RedisMode.HEALTHY;
  /** The step at which a bit of a changelog record rots (0: none), in which shard, which record. */
  private final int corruptAtStep;
  private final int corruptShard;
  private final int corruptRecord;
  /** A process's cycle runs inside another's write: no further nesting. */
  private boolean interleaving;

  private final List<Process> processes = new ArrayList<>();
  private int processesStarted;
  private SinkMode sinkMode = SinkMode.HEALTHY;
  private boolean fatalArmed;
  private boolean faulty = true;

  /** Per partition, per offset: the span id of a valid record, or null. */
  private final List<List<@Nullable String>> spanAt = new ArrayList<>();
  /** How many records carry each span id (a redelivered copy carries it again). */
  private final Map<String, Integer> copies = new HashMap<>();
  /** Per partition, the offsets below which committed spans were checked to be out. */
  private final long[] checkedBelow;
  private final List<String> traces = new ArrayList<>();
  private final Map<String, List<Long>> spansOfTrace = new HashMap<>();
  private final String hotTrace;
  /**
   * A trace whose segments no store of this seed can flush (a stored frame that does not decode), or null: its one
   * span must hold its partition's commit back for ever, and must not keep any other span from coming out.
   */
  private final @Nullable String unflushableTrace;
  private final Set<String> unflushable = new HashSet<>();
  private long nextSpan = 1;

  private final Set<String> delivered = new HashSet<>();
  /** Per span id: its parent's id as the input named it, or null for a root. */
  private final Map<String, @Nullable String> parentOf = new HashMap<>();
  /** Per span id: how many times a batch holding it was handed to a store. */
  private final Map<String, Integer> stored = new HashMap<>();
  /** Per span id: the segment ids and the flush ids of the messages it came out in. */
  private final Map<String, Set<String>> segmentsOf = new HashMap<>();
  private final Map<String, Set<String>> flushIdsOf = new HashMap<>();
  private final Map<String, byte[]> bytesOfFlushId = new HashMap<>();
  private int outputMessages;

  private final List<String> trace = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private int step;

  /** {@code store}: "memory" or "redis" for every seed, empty for the one each seed draws. */
  ServiceSimulation(long seed, String store) {
    this.seed = seed;
    Random config = new Random(seed);
    events = new Random(config.nextLong());
    fates = new Random(config.nextLong());
    polls = new Random(config.nextLong());
    zombies = new Random(seed ^ 0x5DEECE66DL);
    kafka = new SimulatedKafka(INPUT, 1 + config.nextInt(4));
    checkedBelow = new long[kafka.partitions()];
    for (int p = 0; p < kafka.partitions(); p++) {
      spanAt.add(new ArrayList<>());
    }
    maxProcesses = 1 + config.nextInt(2);
    maxPollRecords = 1 + config.nextInt(40);
    steps = 150 + config.nextInt(250);
    recentlyFlushedSpans = config.nextBoolean() ? config.nextInt(200) : 100_000;
    flushedSpansPerTrace = config.nextBoolean() ? config.nextInt(50) : 100_000;
    Duration rootTimeout = Duration.ofMillis(500 + config.nextInt(10_000));
    bufferConfig = SpanBufferConfig.builder()
        .rootTimeout(rootTimeout)
        .timeout(rootTimeout.plusMillis(config.nextInt(60_000)))
        .maxLifetime(config.nextBoolean() ? null : Duration.ofSeconds(30 + config.nextInt(120)))
        .maxSegmentBytes(config.nextBoolean() ? 1000 + config.nextInt(20_000) : 10L * 1024 * 1024)
        .maxMessageBytes(SpanBufferConfig.MIN_MESSAGE_BYTES + config.nextInt(4000))
        .chunking(ChunkingStrategy.values()[config.nextInt(ChunkingStrategy.values().length)])
        .maxFlushSegments(1 + config.nextInt(20))
        .maxBufferedBytes(config.nextBoolean() ? SpanBufferConfig.NO_BUFFER_LIMIT : 2000 + config.nextInt(20_000))
        .sendTimeout(Duration.ofNanos(1)) // a send not settled yet times out at once: one thread waits for nobody
        .build();
    consumerOptions = SpanConsumerOptions.builder()
        .bootstrapServers("simulated:9092")
        .groupId("simulation")
        .topic(INPUT)
        .clock(clock)
        .flushThreads(0)
        .laggingFlushCycles(1 + config.nextInt(5))
        .drainOnRevoke(config.nextBoolean())
        .pauseAboveBufferedBytes(config.nextBoolean() ? 0 : 1000 + config.nextInt(10_000))
        .build();
    hotTrace = traceId(config);
    unflushableTrace = config.nextInt(4) == 0 ? traceId(config) : null;
    redisFates = new Random(config.nextLong());
    boolean drawnRedis = config.nextBoolean();
    redis = (store.isEmpty() ? drawnRedis : store.equals("redis")) ? new SimulatedRedis(clock::millis) : null;
    redisOptions = RedisStoreOptions.builder()
        .recentlyFlushedSpans(recentlyFlushedSpans)
        .compactionBytes(1024 + config.nextInt(64 * 1024))
        .build();
    if (redis != null && config.nextBoolean()) {
      // Room for every shard to reach its compaction threshold twice: with less, a full Redis refuses the appends
      // that would make a changelog's dead bytes reach it, so nothing is ever compacted and input waits for good.
      redis.maxMemory(redis.usedBytes() + 2 * kafka.partitions() * redisOptions.compactionBytes()
          + config.nextInt(200_000));
    }
    // In a tenth of the seeds on Redis, a bit of one changelog record rots at a random step (drawn last, so that the
    // draws above stay those of the seeds before this fault).
    corruptAtStep = redis != null && config.nextInt(10) == 0 ? 1 + config.nextInt(steps) : 0;
    corruptShard = config.nextInt(kafka.partitions());
    corruptRecord = config.nextInt(1_000);
    resends = new Random(config.nextLong());
    note("config: %d partitions, up to %d processes, %d records a poll at most, %d steps, %s, %s, "
        + "recentlyFlushedSpans=%d, flushedSpansPerTrace=%d, store %s", kafka.partitions(), maxProcesses,
        maxPollRecords, steps, bufferConfig, consumerOptions, recentlyFlushedSpans, flushedSpansPerTrace,
        redis == null ? "in memory" : "Redis, maxmemory " + redis.maxMemory() + ", " + redisOptions);
  }

  /** Runs a seed on the store {@code -Dsegbuf.simulation.store} names, or the one it draws. */
  static Result run(long seed) {
    return run(seed, System.getProperty("segbuf.simulation.store", ""));
  }

  /** Runs a seed on {@code store}: "memory" or "redis", or empty for the one it draws. */
  static Result run(long seed, String store) {
    return new ServiceSimulation(seed, store).run();
  }

  private Result run() {
    start();
    for (step = 1; step <= steps; step++) {
      if (step == corruptAtStep) {
        corrupt();
      }
      event();
      checkCommitted();
    }
    settle();
    checkEnd();
    int inputs = spanAt.stream().mapToInt(List::size).sum();
    return new Result(seed, violations, trace, inputs, outputMessages, processesStarted);
  }

  // ---- events

  private void event() {
    int r = events.nextInt(100);
    if (r < 25) {
      produce();
    } else if (r < 60) {
      cycle(pick());
    } else if (r < 68) {
      advance(Duration.ofMillis(events.nextInt(3000)));
    } else if (r < 69) {
      advance(Duration.ofMinutes(1 + events.nextInt(60)));
    } else if (r < 70) {
      advance(Duration.ofMillis(-events.nextInt(5000))); // the wall clock stepped back
    } else if (r < 73) {
      revokeOne();
    } else if (r < 74) {
      lose();
    } else if (r < 78) {
      assignUnowned();
    } else if (r < 79) {
      crash(pick());
    } else if (r < 80) {
      restart(pick());
    } else if (r < 81) {
      if (processes.size() < maxProcesses) {
        start();
      }
    } else if (r < 84) {
      Process p = pick();
      note("sends pending in process %d settled", p.id);
      p.producer.settle(fates);
    } else if (r < 85) {
      Process p = pick();
      int batches = 1 + events.nextInt(5);
      note("process %d's store refuses the next %d batches", p.id, batches);
      p.store.refuseNextAdds(batches);
    } else if (r < 86) {
      Process p = pick();
      if (unflushableTrace != null) {
        note("process %d's store already fails to flush trace %s", p.id, unflushableTrace);
      } else if (traces.isEmpty() || events.nextBoolean()) {
        note("process %d's store flushes every trace again", p.id);
        p.store.refuseFlushes(null);
      } else {
        String bad = traces.get(events.nextInt(traces.size()));
        note("process %d's store fails to flush segments of trace %s", p.id, bad);
        p.store.refuseFlushes(TraceId.parse(bad));
      }
    } else if (r < 87) {
      sinkMode = SinkMode.values()[events.nextInt(SinkMode.values().length)];
      note("sink %s", sinkMode);
    } else if (r < 88) {
      if (events.nextInt(3) == 0) {
        note("the next send fails for good");
        fatalArmed = true;
      }
    } else if (r < 89) {
      kafka.commitsFail = !kafka.commitsFail;
      note("commits %s", kafka.commitsFail ? "fail" : "work again");
    } else if (r < 91 && redis != null) {
      redisMode = RedisMode.values()[events.nextInt(RedisMode.values().length)];
      note("Redis %s", redisMode);
    } else if (r < 92 && redis != null) {
      note("Redis restarts with its data (AOF, appendfsync always), down until it is back");
      redis.restart(true);
      redisMode = RedisMode.DOWN;
    } else {
      cycle(pick());
    }
  }

  private void corrupt() {
    SimulatedRedis r = redis;
    if (r != null) {
      note("Redis: a bit of record %d of shard %d's changelog rots", r.corrupt(redisOptions.keyPrefix(), corruptShard,
          corruptRecord), corruptShard);
    }
  }

  /**
   * Whether the partition's shard holds a record that does not decode (a bit rotted): the shard must then be refused,
   * loudly, and never served (read as anything) again, so the partition may stall with its spans in the changelog.
   */
  private boolean undecodable(int partition) {
    SimulatedRedis r = redis;
    return r != null && r.holdsUndecodable(redisOptions.keyPrefix(), partition);
  }

  private Process pick() {
    if (processes.isEmpty()) {
      start();
    }
    return processes.get(events.nextInt(processes.size()));
  }

  private void start() {
    Process p;
    while (true) {
      try {
        p = new Process(processesStarted++);
        break;
      } catch (SegbufException e) { // connecting to Redis failed: the process exits, and is started again
        note("process %d could not start: %s", processesStarted - 1, e.toString());
        redisMode = RedisMode.HEALTHY;
      }
    }
    processes.add(p);
    note("process %d started", p.id);
  }

  private void cycle(Process p) {
    if (redis != null && faulty && zombies.nextInt(4) == 0) {
      zombie(p);
    }
    Map<Integer, Long> before = committedOffsets();
    boolean goesOn;
    try {
      goesOn = p.loop.cycleOnce();
    } catch (RuntimeException e) {
      violation("process %d: the consumer loop threw %s", p.id, e);
      crash(p);
      return;
    }
    Map<Integer, Long> after = committedOffsets();
    if (!after.equals(before)) {
      note("process %d cycle: committed %s", p.id, after);
    }
    if (!goesOn) {
      note("process %d stopped (the sink failed for good); restarted", p.id);
      restart(p);
    }
  }

  /**
   * Before the poll that tells it, a process that lost a partition acts as its owner still: its flusher thread
   * flushes the partition (a zombie's flush, which must never take the shard from its new owner), and now and then its
   * loop takes the shard over again (a poll returned before it learned of the loss, and retried a failed takeover, or
   * took back a shard it found taken): the new owner must take it back, and neither may stall.
   */
  private void zombie(Process p) {
    for (int partition = 0; partition < kafka.partitions(); partition++) {
      TopicPartition tp = kafka.partition(partition);
      if (!p.kafkaConsumer.losing(tp)) {
        continue;
      }
      try {
        if (zombies.nextInt(4) == 0) {
          note("process %d, a zombie of %s, takes its shard over", p.id, tp);
          p.buffer.acquire(tp.partition());
        } else {
          note("process %d, a zombie of %s, flushed %d segments of it", p.id, tp,
              p.buffer.flush(tp.partition(), clock.instant()).segments());
        }
      } catch (RuntimeException e) {
        note("process %d, a zombie of %s, was refused: %s", p.id, tp, e);
      }
    }
  }

  private Map<Integer, Long> committedOffsets() {
    Map<Integer, Long> out = new java.util.TreeMap<>();
    for (int p = 0; p < kafka.partitions(); p++) {
      out.put(p, kafka.committed(kafka.partition(p)));
    }
    return out;
  }

  private void advance(Duration by) {
    clock.advance(by);
    note("clock %+d ms", by.toMillis());
  }

  private void revokeOne() {
    for (Process p : processes) {
      for (TopicPartition tp : kafka.owned(p.kafkaConsumer)) {
        if (!p.kafkaConsumer.changing(tp) && events.nextInt(3) == 0) {
          note("%s revoked from process %d", tp, p.id);
          p.kafkaConsumer.revokeLater(tp);
          return;
        }
      }
    }
  }

  private void lose() {
    Process p = pick();
    for (TopicPartition tp : kafka.owned(p.kafkaConsumer)) {
      if (events.nextBoolean()) {
        note("%s lost by process %d (its session timed out)", tp, p.id);
        p.kafkaConsumer.loseNow(tp);
      }
    }
  }

  private void assignUnowned() {
    for (TopicPartition tp : kafka.unowned()) {
      Process p = pick();
      note("%s assigned to process %d", tp, p.id);
      p.kafkaConsumer.assignLater(tp);
    }
  }

  /** The process dies: its memory is gone; sends in flight are written or not. */
  private void crash(Process p) {
    note("process %d crashed", p.id);
    leave(p);
    p.producer.settle(fates);
  }

  /** The process stops cleanly (or after its sink failed for good) and a new one takes its place. */
  private void restart(Process p) {
    note("process %d shuts down", p.id);
    try {
      p.loop.shutdownForSteps();
    } catch (RuntimeException e) {
      violation("process %d: shutting down threw %s", p.id, e);
    }
    p.producer.settle(fates); // closing the producer sends what it holds, or fails it
    leave(p);
    start();
  }

  private void leave(Process p) {
    processes.remove(p);
    for (TopicPartition tp : kafka.owned(p.kafkaConsumer)) {
      kafka.own(tp, null);
    }
  }

  // ---- traffic

  private void produce() {
    int r = events.nextInt(100);
    long time = clock.millis() - events.nextInt(3000);
    if (events.nextInt(40) == 0) {
      time = clock.millis() + Duration.ofDays(3650).toMillis(); // a producer whose clock jumped
    }
    if (r < 3 && unflushableTrace != null && unflushable.isEmpty()) {
      TestSpans span = span(unflushableTrace, null, 0);
      unflushable.add(String.format("%016x", span.parsed().spanId()));
      append(home(unflushableTrace), time, span.bytes(), "span that cannot be flushed");
    } else if (r < 35) {
      String trace = traceId(events);
      traces.add(trace);
      int n = 1 + events.nextInt(6);
      List<TestSpans> spans = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        spans.add(span(trace, i == 0 || events.nextInt(8) == 0 ? null : parentIn(trace), padding()));
      }
      java.util.Collections.shuffle(spans, events);
      int partition = home(trace);
      for (TestSpans s : spans) {
        append(partition, time, s.bytes(), "span of new trace " + trace.substring(0, 6));
      }
    } else if (r < 50 && !traces.isEmpty()) {
      String trace = traces.get(events.nextInt(traces.size()));
      int partition = events.nextInt(6) == 0 ? events.nextInt(kafka.partitions()) : home(trace);
      append(partition, time, span(trace, parentIn(trace), padding()).bytes(), "late child in " + trace.substring(0, 6));
    } else if (r < 60) {
      int n = 1 + events.nextInt(20);
      for (int i = 0; i < n; i++) {
        Long parent = spansOfTrace.containsKey(hotTrace) && events.nextInt(10) > 0 ? parentIn(hotTrace) : null;
        append(home(hotTrace), time, span(hotTrace, parent, padding()).bytes(), "hot trace span");
      }
    } else if (r < 70) {
      append(events.nextInt(kafka.partitions()), time, invalid(), "invalid line");
    } else if (r < 85) {
      int from = events.nextInt(kafka.partitions());
      if (!spanAt.get(from).isEmpty()) {
        long offset = events.nextInt(spanAt.get(from).size());
        int to = events.nextInt(4) == 0 ? events.nextInt(kafka.partitions()) : from;
        append(to, time, kafka.record(from, offset).value(), "redelivery of " + from + "@" + offset);
      }
    } else if (r < 90) {
      String trace = traceId(events);
      traces.add(trace);
      append(home(trace), time, span(trace, null, bufferConfig.maxMessageBytes() + events.nextInt(3000)).bytes(),
          "oversized span");
    } else {
      String trace = traceId(events);
      traces.add(trace);
      append(home(trace), time, span(trace, null, padding()).bytes(), "root of a trace on two partitions");
      append(events.nextInt(kafka.partitions()), time, span(trace, parentIn(trace), padding()).bytes(),
          "child of a trace on two partitions");
    }
  }

  private int padding() {
    return events.nextInt(10) == 0 ? events.nextInt(2000) : events.nextInt(100);
  }

  private TestSpans span(String trace, @Nullable Long parent, int padding) {
    long id = nextSpan++ * 0x9E3779B97F4A7C15L; // unique and nonzero, spread over the id space
    spansOfTrace.computeIfAbsent(trace, t -> new ArrayList<>()).add(id);
    parentOf.put(hex(id), parent == null ? null : hex(parent));
    TestSpans span = TestSpans.span(id).trace(trace).padding(padding);
    return parent == null ? span : span.parent(parent);
  }

  private long parentIn(String trace) {
    List<Long> ids = spansOfTrace.getOrDefault(trace, List.of());
    return ids.isEmpty() || events.nextInt(10) == 0 ? events.nextLong() | 1 : ids.get(events.nextInt(ids.size()));
  }

  private byte @Nullable [] invalid() {
    return switch (events.nextInt(5)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> "{\"trace_id\":\"0123".getBytes(StandardCharsets.UTF_8);
      case 3 -> "{\"span_id\":\"zz\",\"trace_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
      default -> {
        byte[] noise = new byte[1 + events.nextInt(64)];
        events.nextBytes(noise);
        yield noise;
      }
    };
  }

  private static String hex(long id) {
    return String.format("%016x", id);
  }

  private int home(String trace) {
    return Math.floorMod(trace.hashCode(), kafka.partitions());
  }

  private static String traceId(Random random) {
    return String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  private void append(int partition, long time, byte @Nullable [] value, String what) {
    long offset = kafka.append(partition, time, value);
    String spanId = spanId(value);
    spanAt.get(partition).add(spanId);
    if (spanId != null) {
      copies.merge(spanId, 1, Integer::sum);
    }
    note("input %d@%d: %s%s", partition, offset, what,
        spanId == null ? "" : " " + spanId + " (parent " + parentOf.get(spanId) + ")");
  }

  /** The span id of a valid span as the test wrote it, else null. */
  private static @Nullable String spanId(byte @Nullable [] value) {
    if (value == null || value.length == 0 || value[0] != '{') {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(value);
      JsonNode id = node.get("span_id");
      return id != null && id.asText().length() == 16 && node.has("project_id") ? id.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  // ---- the sink's side

  private SimulatedProducer.Fate fate() {
    if (!faulty) {
      return SimulatedProducer.Fate.ACK;
    }
    if (fatalArmed) {
      fatalArmed = false;
      return SimulatedProducer.Fate.FATAL;
    }
    int r = fates.nextInt(100);
    return switch (sinkMode) {
      case HEALTHY -> r < 94 ? SimulatedProducer.Fate.ACK : r < 96 ? SimulatedProducer.Fate.FAIL
          : r < 98 ? SimulatedProducer.Fate.WRITTEN_BUT_TIMED_OUT : SimulatedProducer.Fate.PENDING;
      case FLAKY -> r < 50 ? SimulatedProducer.Fate.ACK : r < 65 ? SimulatedProducer.Fate.FAIL
          : r < 70 ? SimulatedProducer.Fate.THROW : r < 80 ? SimulatedProducer.Fate.WRITTEN_BUT_TIMED_OUT
          : SimulatedProducer.Fate.PENDING;
      case OUTAGE -> r < 80 ? SimulatedProducer.Fate.FAIL : r < 90 ? SimulatedProducer.Fate.THROW
          : SimulatedProducer.Fate.PENDING;
    };
  }

  /** A message written to the output topic: checked, and its spans counted as out. */
  private void deliver(ProducerRecord<byte[], byte[]> record) {
    byte[] value = record.value();
    String flushId = header(record, KafkaSegmentSink.FLUSH_ID);
    byte[] first = bytesOfFlushId.putIfAbsent(flushId, value);
    if (first != null && !Arrays.equals(first, value)) {
      violation("flush_id %s names two byte strings:%n  %s%n  %s", flushId, utf8(first), utf8(value));
    }
    JsonNode message;
    try {
      message = JSON.readTree(value);
    } catch (IOException e) {
      violation("output message is not JSON: %s", utf8(value));
      return;
    }
    if (!flushId.equals(message.path("flush_id").asText())) {
      violation("flush_id header %s differs from the message's %s", flushId, message.path("flush_id"));
    }
    List<String> ids = new ArrayList<>();
    message.path("spans").forEach(s -> ids.add(s.path("span_id").asText()));
    if (value.length > bufferConfig.maxMessageBytes() && ids.size() > 1) {
      violation("message %s of %d bytes with %d spans exceeds maxMessageBytes=%d", flushId, value.length, ids.size(),
          bufferConfig.maxMessageBytes());
    }
    delivered.addAll(ids);
    String segment = message.path("segment_id").asText();
    for (String id : ids) {
      segmentsOf.computeIfAbsent(id, i -> new HashSet<>()).add(segment);
      flushIdsOf.computeIfAbsent(id, i -> new HashSet<>()).add(flushId);
    }
    outputMessages++;
    note("output %s gen %s chunk %s/%s: %d spans %s", record.key() == null ? "?" : utf8(record.key()),
        header(record, KafkaSegmentSink.GENERATION), header(record, KafkaSegmentSink.CHUNK_INDEX),
        header(record, KafkaSegmentSink.CHUNK_COUNT), ids.size(), flushId);
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.US_ASCII);
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  // ---- settling and invariants

  /** The faults stop; every partition is assigned; the clock moves past every timeout until all is committed. */
  private void settle() {
    faulty = false;
    kafka.commitsFail = false;
    note("faults stop");
    for (Process p : processes) {
      p.store.refuseNextAdds(0);
      refuseUnflushable(p.store);
      p.producer.settle(fates);
    }
    if (processes.isEmpty()) {
      start();
    }
    for (int round = 0; round < MAX_SETTLE_ROUNDS && !settled(); round++) {
      assignUnowned();
      clock.advance(Duration.ofSeconds(20));
      for (Process p : new ArrayList<>(processes)) {
        for (int i = 0; i < 3 && processes.contains(p); i++) {
          cycle(p);
        }
      }
      checkCommitted();
    }
  }

  /** The span that cannot be flushed, and its redelivered copies: what a settled store may still hold. */
  private int unflushableCopies() {
    int n = 0;
    for (String id : unflushable) {
      n += copies.getOrDefault(id, 0);
    }
    return n;
  }

  private void refuseUnflushable(TraceFailingStore store) {
    if (unflushableTrace == null) {
      store.refuseFlushes(null);
    } else {
      store.refuseFlushes(TraceId.parse(unflushableTrace));
    }
  }

  private boolean settled() {
    for (Process p : processes) {
      if (p.store.usage().spans() > unflushableCopies() && !anyUndecodable()) {
        return false;
      }
    }
    for (int p = 0; p < kafka.partitions(); p++) {
      if (undecodable(p)) {
        continue;
      }
      if (kafka.committed(kafka.partition(p)) < committable(p)) {
        return false;
      }
      for (String id : spanAt.get(p)) {
        if (id != null && !unflushable.contains(id) && !delivered.contains(id)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Where the partition's commit must reach: its end; with a span that cannot be flushed, nowhere in particular (a
   * consumer commits up to the first record of the polled batch that holds it, a batch this simulation does not see),
   * and {@link #checkCommitted} sees that it never passes it.
   */
  private long committable(int p) {
    List<@Nullable String> ids = spanAt.get(p);
    for (String id : ids) {
      if (id != null && unflushable.contains(id)) {
        return 0;
      }
    }
    return ids.size();
  }

  /**
   * Spans the group's committed offsets passed since the last check must be out already: a crash now would not read
   * them again. A span with a copy elsewhere may be committed as a duplicate of it before that copy is out: such
   * spans are checked at the end only.
   */
  private void checkCommitted() {
    for (int p = 0; p < kafka.partitions(); p++) {
      long committed = kafka.committed(kafka.partition(p));
      for (long o = checkedBelow[p]; o < committed; o++) {
        String id = spanAt.get(p).get((int) o);
        if (id != null && copies.getOrDefault(id, 0) == 1 && !delivered.contains(id) && !inRedis(p, o)) {
          violation("%d@%d (span %s) committed before it was out%s", p, o, id,
              redis == null ? "" : " or in its shard's changelog");
        }
      }
      checkedBelow[p] = Math.max(checkedBelow[p], committed);
    }
  }

  /** With the Redis store (durable), whether the record's span is in its shard's changelog, so kept for its next owner. */
  private boolean inRedis(int partition, long offset) {
    SimulatedRedis r = redis;
    byte[] value = kafka.record(partition, offset).value();
    return r != null && value != null && r.changelogHolds(redisOptions.keyPrefix(), partition, value);
  }

  private void checkEnd() {
    for (Process p : processes) {
      note("process %d at the end: owns %s, paused %s, store %s", p.id, kafka.owned(p.kafkaConsumer),
          p.kafkaConsumer.paused(), p.store.usage());
    }
    SimulatedRedis r = redis;
    if (r != null && !r.servedPastUndecodable().isEmpty()) {
      violation("changelogs written after their owner read a record that does not decode (it must fail, never serve "
          + "the shard): %s", r.servedPastUndecodable());
    }
    boolean tooSmall = redisTooSmall();
    for (int p = 0; p < kafka.partitions(); p++) {
      long committed = kafka.committed(kafka.partition(p));
      if (undecodable(p)) {
        note("shard %d's changelog holds a record that does not decode: the partition is refused", p);
        checkHeld(p, committed);
        continue;
      }
      if (tooSmall) {
        checkHeld(p, committed);
        continue;
      }
      if (committed < committable(p)) {
        violation("partition %d stalled: committed %d of %d records after the faults stopped", p, committed,
            committable(p));
      }
      for (int o = 0; o < spanAt.get(p).size(); o++) {
        String id = spanAt.get(p).get(o);
        if (id != null && !unflushable.contains(id) && !delivered.contains(id)) {
          violation("%d@%d (span %s) never came out", p, o, id);
        }
      }
    }
    checkOutcomes();
    checkSegmentIds();
    checkMemory();
  }

  /**
   * A partition that may stall (its shard holds an undecodable record, or Redis is too small) loses nothing: each span
   * is out, or still in Kafka past the committed offset, or in its shard's changelog.
   */
  private void checkHeld(int p, long committed) {
    note("partition %d committed %d of %d records", p, committed, spanAt.get(p).size());
    for (int o = 0; o < committed; o++) {
      String id = spanAt.get(p).get(o);
      if (id != null && !unflushable.contains(id) && !delivered.contains(id) && !inRedis(p, o)) {
        violation("%d@%d (span %s) is neither out nor in its shard's changelog", p, o, id);
      }
    }
  }

  /**
   * Whether Redis is too small for the shards' state, the limit RELIABILITY.md states: above its {@code maxmemory}
   * (it refuses batches) with the state the changelogs must keep (a snapshot each, mostly the ids of remembered spans)
   * taking at least 4/5 of the room Redis has for changelogs, so that no shard may hold a quarter of its state in dead
   * records, the least that a compaction at the limit waits for. Input may then stall, with nothing lost. A changelog
   * holding a record that does not decode is state too, all of it: no owner reads or compacts it. (Skipped when a
   * shard was undecodable, the check flagged a Redis too small as a stall: seed 402729 on Redis.)
   */
  private boolean redisTooSmall() {
    SimulatedRedis r = redis;
    if (r == null || r.maxMemory() == 0 || r.usedBytes() <= r.maxMemory()) {
      return false;
    }
    long state = SimulatedRedis.overheadBytes(kafka.partitions());
    for (int shard = 0; shard < kafka.partitions(); shard++) {
      state += undecodable(shard) ? r.changelogBytes(redisOptions.keyPrefix(), shard)
          : r.stateBytes(redisOptions, shard);
    }
    long room = r.maxMemory() - SimulatedRedis.overheadBytes(0);
    boolean tooSmall = 5 * (state - SimulatedRedis.overheadBytes(0)) >= 4 * room;
    note("Redis above its maxmemory (%d of %d bytes); the shards' state takes %d of the %d bytes it has for changelogs:"
        + " %s", r.usedBytes(), r.maxMemory(), state - SimulatedRedis.overheadBytes(0), room,
        tooSmall ? "too small, input may stall" : "room enough, input must go on");
    return tooSmall;
  }

  private boolean anyUndecodable() {
    for (int p = 0; p < kafka.partitions(); p++) {
      if (undecodable(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every span has one outcome: a store took it (new or a duplicate of a copy it holds or flushed) and it came out,
   * or it was invalid or refused and read again. So a span comes out under at most as many flush ids as batches
   * holding it were handed to a store (each taken copy is flushed once, its retries under the same flush id), and
   * never without one. The count is of batches handed over, not of those the store acknowledged: a Redis append
   * whose answer was lost may hold a batch the caller saw fail.
   */
  private void checkOutcomes() {
    flushIdsOf.forEach((id, flushIds) -> {
      int handed = stored.getOrDefault(id, 0);
      if (flushIds.size() > handed) {
        violation("span %s came out under %d flush ids but was handed to a store %d times: %s", id,
            flushIds.size(), handed, flushIds);
      }
    });
  }

  /**
   * Segment ids follow the tree: a span comes out in a segment named by itself or one of its ancestors (the top of
   * what its shard held of the trace when it arrived: a root, or a span whose parent the shard did not know: not seen
   * yet, on another shard, or forgotten), or in a segment one of its ancestors came out in (it arrived within the
   * windows, or joined a continuation, or its ancestors were joined to a segment above them after it was flushed).
   * Checked over the whole output, so the order in which spans came out does not matter. Weaker than the exact rule
   * (which depends on what the shard held and remembered at each arrival), but it catches a span filed under a
   * segment of another part of the tree or another trace, e.g. from a state replayed with the wrong tree.
   */
  private void checkSegmentIds() {
    segmentsOf.forEach((id, segments) -> {
      Set<String> allowed = new HashSet<>();
      for (String a = id; a != null && allowed.add(a); a = parentOf.get(a)) {
        allowed.addAll(segmentsOf.getOrDefault(a, Set.of()));
      }
      for (String segment : segments) {
        if (!allowed.contains(segment)) {
          violation("span %s came out in segment %s, which is neither named by it or an ancestor nor one they came"
              + " out in (%s)", id, segment, allowed);
        }
      }
    });
  }

  /**
   * Memory within bounds once settled: a store holds no span but the one that cannot be flushed; with Redis, each
   * shard's changelog holds no more than its compaction allows: the snapshot (mostly the ids of remembered spans),
   * dead bytes up to three times the next snapshot or twice the threshold (the compaction rule), one record.
   */
  private void checkMemory() {
    for (Process p : processes) {
      long spans = p.store.usage().spans();
      if (spans > unflushableCopies() && !anyUndecodable()) {
        violation("process %d still holds %d spans after the faults stopped", p.id, spans);
      }
    }
    SimulatedRedis r = redis;
    if (r == null) {
      return;
    }
    long remembered = Math.min(recentlyFlushedSpans, nextSpan);
    long bound = 2 * redisOptions.compactionBytes() + (1 + 3) * 64 * remembered + 64 * 1024;
    for (int shard = 0; shard < kafka.partitions(); shard++) {
      long bytes = r.changelogBytes(redisOptions.keyPrefix(), shard);
      if (bytes > bound && !undecodable(shard)) {
        violation("shard %d's changelog holds %d bytes after the faults stopped, above %d", shard, bytes, bound);
      }
    }
  }

  private void note(String format, Object... args) {
    trace.add(String.format("%4d %8d ", step, clock.millis() - START.toEpochMilli()) + String.format(format, args));
  }

  private void violation(String format, Object... args) {
    String text = String.format(format, args);
    violations.add(text);
    note("VIOLATION: %s", text);
  }
}
