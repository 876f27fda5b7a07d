package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.BufferStats;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.kafka.OutputRecords.Out;
import io.segbuf.redis.RedisExtension;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.StoreUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded soak of the service path: generated traces at a steady rate into a real broker, one
 * {@link SpanConsumer} on the Redis store, {@link KafkaSegmentSink} out. Checks that nothing is lost or repeated
 * (after dedupe by flush id), that the store holds steady rather than growing, and that everything flushes once
 * the clock passes the timeouts. Prints the sustained rate and Redis memory for the record; asserts no timing.
 *
 * <p>Not part of {@code mvn verify} (about a minute): run it with {@code mvn -B verify -pl kafka-adapter -Psoak}.
 *
 * <p>Event time runs {@link #SIM_PER_TICK} per tick of {@link #TICK} real time: record timestamps and the injected
 * clock advance together, so segments time out without waiting for real timeouts.
 */
class ServiceSoak {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final Duration TICK = Duration.ofMillis(200);
  private static final Duration SIM_PER_TICK = Duration.ofSeconds(2);
  private static final int TICKS = 250; // 50 s of traffic
  private static final Duration MAX_TRAFFIC = Duration.ofSeconds(75); // a hard bound if sends are slow
  private static final int TRACES_PER_TICK = 30;
  private static final int SPANS_PER_TRACE = 5;
  private static final int PADDING = 400;
  private static final int SAMPLE_EVERY_TICKS = 10;

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String prefix = KafkaBroker.uniqueTopic("segbuf");

  private record Sample(int tick, long spans, long bytes, long usedMemoryBytes) {}

  private static String traceId(int trace) {
    return String.format("%032x", 0x50a0_0000L + trace);
  }

  private static long rootId(int trace) {
    return trace * 16L;
  }

  /** A span of {@code trace}, a root when {@code parent} is 0; its id goes into {@code spanIds}. */
  private ProducerRecord<byte[], byte[]> record(int trace, long spanId, long parent, Instant time,
      Set<String> spanIds) {
    TestSpans span = TestSpans.span(spanId).trace(traceId(trace)).padding(PADDING);
    if (parent != 0) {
      span.parent(parent);
    }
    spanIds.add(String.format("%016x", spanId));
    return new ProducerRecord<>(in, null, time.toEpochMilli(), traceId(trace).getBytes(StandardCharsets.US_ASCII),
        span.bytes());
  }

  /**
   * A trace arrives over two ticks: the root and two children in the tick it starts, two grandchildren in the next,
   * so segments are assembled across polls. Tick {@link #TICKS} only finishes the traces of the tick before.
   */
  private List<ProducerRecord<byte[], byte[]>> tick(int tick, Instant time, Set<String> spanIds) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int k = 0; k < TRACES_PER_TICK; k++) {
      int started = tick * TRACES_PER_TICK + k + 1;
      long root = rootId(started);
      if (tick < TICKS) {
        records.add(record(started, root, 0, time, spanIds));
        records.add(record(started, root + 1, root, time, spanIds));
        records.add(record(started, root + 2, root, time, spanIds));
      }
      if (tick > 0) {
        int previous = started - TRACES_PER_TICK;
        long previousRoot = rootId(previous);
        records.add(record(previous, previousRoot + 3, previousRoot + 1, time, spanIds));
        records.add(record(previous, previousRoot + 4, previousRoot + 2, time, spanIds));
      }
    }
    return records;
  }

  private static long maxOf(List<Sample> samples, java.util.function.ToLongFunction<Sample> field) {
    return samples.stream().mapToLong(field).max().orElse(0);
  }

  @Test
  void steadyTrafficThroughTheRedisStoreHoldsSteadyFlushesOnTimeAndLosesNothing() throws Exception {
    broker.get().createTopic(in, 4, Map.of());
    broker.get().createTopic(out, 4, Map.of());
    Set<String> spanIds = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    long sentRecords = 0;
    long sentBytes = 0;

    try (SegmentStore store = RedisSegmentStore.connect(
            RedisStoreOptions.builder().uri(redis.get().uri()).keyPrefix(prefix).build());
        KafkaSegmentSink sink = KafkaSegmentSink.create(
            KafkaSinkOptions.builder().bootstrapServers(broker.get().bootstrapServers()).topic(out).build());
        KafkaProducer<byte[], byte[]> producer = broker.get().producer()) {
      SpanBuffer buffer = SpanBuffer.create(
          SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes()).build(), store, sink);
      SpanConsumer consumer = SpanConsumer.create(SpanConsumerOptions.builder()
          .bootstrapServers(broker.get().bootstrapServers()).topic(in).groupId("segbuf-" + in).clock(clock)
          .build(), buffer);
      consumer.start("soak-consumer");
      try {
        Await.until("the consumer owns the input", WAIT, () -> consumer.stats().assignedPartitions() == 4);

        long startNanos = System.nanoTime();
        long hardStop = startNanos + MAX_TRAFFIC.toNanos();
        int ticks = 0;
        for (int t = 0; t < TICKS + 1 && System.nanoTime() < hardStop; t++) {
          Instant time = T0.plus(SIM_PER_TICK.multipliedBy(t));
          List<ProducerRecord<byte[], byte[]>> records = tick(t, time, spanIds);
          List<Future<?>> acks = new ArrayList<>();
          for (ProducerRecord<byte[], byte[]> r : records) {
            acks.add(producer.send(r));
            sentBytes += r.value().length;
          }
          for (Future<?> ack : acks) {
            ack.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          }
          sentRecords += records.size();
          clock.advance(SIM_PER_TICK);
          ticks = t + 1;
          if (t % SAMPLE_EVERY_TICKS == 0) {
            StoreUsage usage = buffer.usage();
            samples.add(new Sample(t, usage.spans(), usage.bytes(), usage.usedMemoryBytes()));
          }
          // pacing to a steady rate, not a wait for a timeout
          long next = startNanos + TICK.toNanos() * (t + 1);
          long sleepNanos = next - System.nanoTime();
          if (sleepNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(sleepNanos);
          }
        }
        double trafficSeconds = (System.nanoTime() - startNanos) / 1e9;
        assertThat(ticks).as("all ticks sent within %s", MAX_TRAFFIC).isEqualTo(TICKS + 1);

        long expectedRecords = sentRecords;
        Await.until("the consumer took every record", WAIT,
            () -> consumer.stats().polledRecords() >= expectedRecords,
            () -> "sent " + expectedRecords + ", input end offsets "
                + broker.get().endOffsetSum(in, List.of(0, 1, 2, 3)) + ", " + consumer.stats());
        clock.advance(Duration.ofHours(1));
        Await.until("every span flushed and the store empty", WAIT,
            () -> buffer.stats().flushedSpans() >= spanIds.size() && buffer.usage().spans() == 0,
            () -> buffer.stats() + " " + buffer.usage());
        double flushedSeconds = (System.nanoTime() - startNanos) / 1e9;
        StoreUsage end = buffer.usage();
        samples.add(new Sample(ticks, end.spans(), end.bytes(), end.usedMemoryBytes()));

        // (1) every span exactly once after dedupe by flush id
        long written = broker.get().endOffsetSum(out, List.of(0, 1, 2, 3));
        List<Out> unique =
            OutputRecords.dedupe(OutputRecords.decode(broker.get().readAll(out, (int) written, WAIT)));
        assertThat(OutputRecords.spanCounts(unique)).hasSize(spanIds.size()).containsOnlyKeys(spanIds)
            .allSatisfy((id, n) -> assertThat(n).as("copies of span %s", id).isEqualTo(1));

        // (2) steady, not growing: the second half holds no more than twice the first half's peak
        List<Sample> during = samples.subList(0, samples.size() - 1);
        List<Sample> firstHalf = during.subList(0, during.size() / 2);
        List<Sample> secondHalf = during.subList(during.size() / 2, during.size());
        assertThat(maxOf(firstHalf, Sample::spans)).as("spans were buffered during the run").isPositive();
        assertThat(maxOf(secondHalf, Sample::spans)).as("buffered spans, second half vs first: %s", samples)
            .isLessThanOrEqualTo(2 * maxOf(firstHalf, Sample::spans));
        assertThat(maxOf(secondHalf, Sample::bytes)).as("buffered bytes, second half vs first: %s", samples)
            .isLessThanOrEqualTo(2 * maxOf(firstHalf, Sample::bytes));
        // (3) on time: once the clock passed the timeouts, the store emptied
        assertThat(end.spans()).isZero();
        assertThat(end.segments()).isZero();

        BufferStats stats = buffer.stats();
        System.out.printf("soak: %d spans (%d records, %.1f MB) over %d traces in %.1f s of traffic%n",
            spanIds.size(), sentRecords, sentBytes / 1e6, spanIds.size() / SPANS_PER_TRACE, trafficSeconds);
        System.out.printf("soak: produced %.0f spans/s, %.2f MB/s%n",
            sentRecords / trafficSeconds, sentBytes / 1e6 / trafficSeconds);
        System.out.printf("soak: flushed %d spans in %d messages (%d unique), %.1f MB; %.0f spans/s, %.2f MB/s "
                + "until the last flush (%.1f s)%n",
            stats.flushedSpans(), stats.flushedMessages(), unique.size(), stats.flushedMessageBytes() / 1e6,
            stats.flushedSpans() / flushedSeconds, stats.flushedMessageBytes() / 1e6 / flushedSeconds,
            flushedSeconds);
        System.out.printf("soak: send failures %d, duplicates %d, continuations %d, consumer %s%n",
            stats.sendFailures(), stats.duplicateSpans(), stats.continuations(), consumer.stats());
        for (Sample s : samples) {
          System.out.printf("soak: tick %3d buffered spans %6d bytes %10d redis used_memory %10d%n",
              s.tick(), s.spans(), s.bytes(), s.usedMemoryBytes());
        }
      } finally {
        consumer.close();
        assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
