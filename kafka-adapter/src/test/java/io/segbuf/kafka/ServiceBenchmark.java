package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.Message;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.redis.RedisExtension;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service measured whole: generated traces preloaded into an input topic of {@code partitions} partitions
 * (keyed by trace id, event times one millisecond apart, a day in the past), then 1, 2 or 4 {@link SpanConsumer}s in
 * one group, each with its own store (in memory or Redis) and {@link KafkaSegmentSink}, run until every span is
 * flushed. Reports spans per second (from the moment every partition is assigned), the CPU per span of the
 * service's threads (its loops, flushers, Kafka client and Lettuce threads; the broker shares the JVM and the 2
 * cores, and is reported apart with the JIT and GC), peak heap, Redis's CPU per span, and the mean batch the store
 * was handed. The baseline in the same run: the same spans through a {@link SpanBuffer} alone on one thread
 * (in-memory store, poll-sized batches, a sink that drops messages): what the service would cost without Kafka.
 * Every run checks every span out exactly once after dedupe, and counts the times the consumers paused their input
 * (backpressure: a flush that lags, or memory).
 *
 * <p>Not part of {@code mvn verify} (its name matches no test pattern). Run it alone: {@code mvn -B verify -pl
 * kafka-adapter -am -Dtest=NoSuch -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ServiceBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false}, with {@code -Dsegbuf.bench.spans=400000 -Dsegbuf.bench.consumers=1,2,4
 * -Dsegbuf.bench.stores=memory,redis -Dsegbuf.bench.flushThreads=1} (the defaults) or others, and {@code
 * -Dsegbuf.bench.producer=batch.size=16384,linger.ms=5;batch.size=262144} for the sinks' producers (each
 * {@code ;}-separated set is a row of its own, run in turn: on a shared machine only rows run side by side compare);
 * the table is printed to the test's output file.
 */
class ServiceBenchmark {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final int SPANS = Integer.getInteger("segbuf.bench.spans", 400_000);
  private static final int PARTITIONS = Integer.getInteger("segbuf.bench.partitions", 8);
  private static final int CHILDREN = 9; // segments of 10 spans
  private static final int PADDING = 900; // spans of about 1 KiB
  private static final int POLL_BATCH = 500; // max.poll.records' default
  private static final Duration WAIT = Duration.ofMinutes(10);
  private static final int FLUSH_THREADS =
      Integer.getInteger("segbuf.bench.flushThreads", SpanConsumerOptions.DEFAULT_FLUSH_THREADS);

  private record Row(String store, int consumers, String producer, double seconds, double serviceCpuMicros,
      double serviceSystemMicros, double otherCpuMicros, long peakHeapMb, double batch, double redisCpuMicros,
      long pauses) {}

  @Test
  void serviceThroughput() throws Exception {
    String in = KafkaBroker.uniqueTopic("ingest-spans");
    broker.get().createTopic(in, PARTITIONS, Map.of());
    Set<String> spanIds = new HashSet<>();
    List<ProducerRecord<byte[], byte[]>> records = InputTraces.records(in, SPANS / (CHILDREN + 1), CHILDREN, PADDING,
        Instant.now().minus(Duration.ofDays(1)), spanIds);
    try (KafkaProducer<byte[], byte[]> producer = broker.get().producer()) {
      List<Future<?>> acks = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : records) {
        acks.add(producer.send(r));
      }
      for (Future<?> ack : acks) {
        ack.get();
      }
    }

    double baseline = bufferAlone(records);
    run(in, "memory", 1, "", spanIds); // warms the JIT up: the first run paid for it, and the first row with it
    List<Row> rows = new ArrayList<>();
    for (String store : System.getProperty("segbuf.bench.stores", "memory,redis").split(",")) {
      for (String consumers : System.getProperty("segbuf.bench.consumers", "1,2,4").split(",")) {
        for (String producer : System.getProperty("segbuf.bench.producer", "").split(";", -1)) {
          rows.add(run(in, store, Integer.parseInt(consumers), producer, spanIds));
        }
      }
    }

    System.out.printf("%n%d spans of ~1 KiB in traces of %d on %d partitions; the SpanBuffer alone: %.2f µs CPU"
        + " per span%n%n", spanIds.size(), CHILDREN + 1, PARTITIONS, baseline);
    System.out.println("| store | consumers | producer | spans/s | service CPU µs/span | of which kernel"
        + " | vs SpanBuffer alone | broker and rest µs/span | peak heap MB | mean batch | Redis CPU µs/span"
        + " | pauses |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf("| %s | %d | %s | %,.0f | %.1f | %.1f | %.1f× | %.1f | %d | %.0f | %s | %d |%n", r.store,
          r.consumers, r.producer.isEmpty() ? "defaults" : r.producer, spanIds.size() / r.seconds,
          r.serviceCpuMicros, r.serviceSystemMicros, r.serviceCpuMicros / baseline, r.otherCpuMicros, r.peakHeapMb,
          r.batch, r.store.equals("redis") ? String.format("%.1f", r.redisCpuMicros) : "", r.pauses);
    }
  }

  /** CPU per span of the same spans through a SpanBuffer alone, grouped by partition in poll-sized batches. */
  private static double bufferAlone(List<ProducerRecord<byte[], byte[]>> records) {
    Map<Integer, List<ProducerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
    for (ProducerRecord<byte[], byte[]> r : records) {
      int partition = Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS;
      byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(r);
    }
    // reads what every sink reads (a message is encoded, and its flush id computed, when first read), then drops it
    SegmentSink dropping = new SegmentSink() {
      @Override
      public CompletionStage<?> send(Message message) {
        return CompletableFuture.completedFuture(message.value().length + message.flushId().length());
      }
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 3; round++) { // the first rounds warm the JIT
      SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().build(), SegmentStore.inMemory(), dropping);
      long cpu = threads.getCurrentThreadCpuTime();
      Instant now = Instant.EPOCH;
      for (Map.Entry<Integer, List<ProducerRecord<byte[], byte[]>>> p : byPartition.entrySet()) {
        List<ProducerRecord<byte[], byte[]>> rs = p.getValue();
        for (int from = 0; from < rs.size(); from += POLL_BATCH) {
          List<ProducerRecord<byte[], byte[]>> batch = rs.subList(from, Math.min(rs.size(), from + POLL_BATCH));
          List<byte[]> values = new ArrayList<>(batch.size());
          batch.forEach(r -> values.add(r.value()));
          now = Instant.ofEpochMilli(batch.get(batch.size() - 1).timestamp());
          buffer.offer(p.getKey(), values, now);
          buffer.flush(p.getKey(), now);
        }
      }
      buffer.drain(now.plus(Duration.ofHours(1)));
      assertThat(buffer.stats().flushedSpans()).isEqualTo(records.size());
      best = Math.min(best, (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / records.size());
    }
    return best;
  }

  private Row run(String in, String storeName, int consumerCount, String producer, Set<String> spanIds)
      throws Exception {
    String out = KafkaBroker.uniqueTopic("buffered-segments");
    broker.get().createTopic(out, PARTITIONS, Map.of());
    String group = KafkaBroker.uniqueTopic("segbuf");
    boolean onRedis = storeName.equals("redis");
    if (onRedis) {
      redis.get().cli("FLUSHALL");
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<SpanConsumer> consumers = new ArrayList<>();
    List<SpanBuffer> buffers = new ArrayList<>();
    List<AutoCloseable> closing = new ArrayList<>();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    Map<Long, Long> cpuBefore = threadCpu(threads, false);
    Map<Long, Long> userBefore = threadCpu(threads, true);
    long processCpuBefore = processCpuNanos();
    long redisCpuBefore = onRedis ? redisCpuMicros() : 0;
    long start = System.nanoTime();
    try {
      for (int c = 0; c < consumerCount; c++) {
        SegmentStore store = onRedis
            ? RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix(group).build())
            : SegmentStore.inMemory();
        closing.add(store);
        KafkaSinkOptions.Builder sinkOptions =
            KafkaSinkOptions.builder().bootstrapServers(broker.get().bootstrapServers()).topic(out);
        for (String property : producer.split(",")) {
          if (!property.isBlank()) {
            sinkOptions.producerProperty(property.substring(0, property.indexOf('=')),
                property.substring(property.indexOf('=') + 1));
          }
        }
        KafkaSegmentSink sink = KafkaSegmentSink.create(sinkOptions.build());
        closing.add(sink);
        SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes())
            .build(), new MeteredSegmentStore(store, meters, Tags.empty()), sink);
        buffers.add(buffer);
        SpanConsumer consumer = SpanConsumer.create(SpanConsumerOptions.builder()
            .bootstrapServers(broker.get().bootstrapServers()).topic(in).groupId(group).flushThreads(FLUSH_THREADS)
            .build(), buffer);
        consumers.add(consumer);
        consumer.start("bench-consumer-" + c);
      }
      long deadline = start + WAIT.toNanos();
      while (consumers.stream().mapToInt(c -> c.stats().assignedPartitions()).sum() < PARTITIONS) {
        assertThat(System.nanoTime()).as("every partition assigned within %s", WAIT).isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(5);
      }
      long assigned = System.nanoTime(); // the rate leaves the group's joining out; the CPU figures do not
      while (buffers.stream().mapToLong(b -> b.stats().flushedSpans()).sum() < spanIds.size()) {
        assertThat(System.nanoTime()).as("every span flushed within %s", WAIT).isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(20);
      }
      double seconds = (System.nanoTime() - assigned) / 1e9;
      long processCpu = processCpuNanos() - processCpuBefore;
      long serviceCpu = serviceCpuNanos(threads, cpuBefore, false);
      long serviceUser = serviceCpuNanos(threads, userBefore, true);
      double redisCpu = onRedis ? redisCpuMicros() - redisCpuBefore : 0;
      long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
          .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      long adds = meters.get("segbuf.store.latency").tag("operation", "add").timer().count();
      long pauses = consumers.stream().mapToLong(c -> c.stats().pauses()).sum();
      int spans = spanIds.size();
      Row row = new Row(storeName, consumerCount, producer, seconds, serviceCpu / 1e3 / spans,
          (serviceCpu - serviceUser) / 1e3 / spans, (processCpu - serviceCpu) / 1e3 / spans, peakHeap >> 20, (double) spans / Math.max(1, adds),
          redisCpu / spans, pauses);
      System.out.println(row);
      return row;
    } finally {
      for (SpanConsumer consumer : consumers) {
        consumer.close();
        consumer.awaitStopped(1, TimeUnit.MINUTES);
      }
      for (AutoCloseable c : closing) {
        c.close();
      }
      long written = broker.get().endOffsetSum(out, partitions());
      OutputRecords.assertExactlyOnce(
          OutputRecords.decode(broker.get().readAll(out, (int) written, Duration.ofMinutes(5))), spanIds);
    }
  }

  private static List<Integer> partitions() {
    List<Integer> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(p);
    }
    return partitions;
  }

  /** CPU (or user CPU only) of every thread so far. */
  private static Map<Long, Long> threadCpu(ThreadMXBean threads, boolean user) {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      cpu.put(id, cpuNanos(threads, id, user));
    }
    return cpu;
  }

  private static long cpuNanos(ThreadMXBean threads, long id, boolean user) {
    return Math.max(0, user ? threads.getThreadUserTime(id) : threads.getThreadCpuTime(id));
  }

  /**
   * CPU since {@code before} of the service's threads: the consumers' loops and flushers (named after them), the
   * sinks' producer I/O threads (the preloading producer is closed by then), the consumers' heartbeat or background
   * threads and Lettuce's event loops; with {@code user}, their user CPU only (the rest is the kernel's: system calls).
   */
  private static long serviceCpuNanos(ThreadMXBean threads, Map<Long, Long> before, boolean user) {
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("bench-consumer-") || name.contains("kafka-producer-network-thread")
          || name.contains("heartbeat") || name.contains("consumer_background") || name.contains("lettuce")) {
        total += cpuNanos(threads, info.getThreadId(), user) - before.getOrDefault(info.getThreadId(), 0L);
      }
    }
    return total;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long redisCpuMicros() {
    double seconds = 0;
    for (String line : redis.get().cli("INFO", "cpu").split("\r?\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    return (long) (seconds * 1e6);
  }

}
