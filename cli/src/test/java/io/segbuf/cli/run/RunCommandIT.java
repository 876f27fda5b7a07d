package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.TestSpans;
import io.segbuf.kafka.KafkaExtension;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisServers;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code segbuf run} in-process against a real broker, configured from a properties file, stopped gracefully. */
class RunCommandIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @BeforeAll
  static void createTopics() {
    broker.get().createTopic("spans-in", 2, Map.of());
    broker.get().createTopic("segments-out", 2, Map.of());
  }

  private static void produce(List<TestSpans> spans) throws Exception {
    produce("spans-in", spans);
  }

  private static void produce(String topic, List<TestSpans> spans) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = broker.get().producer()) {
      List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
      for (TestSpans s : spans) {
        byte[] traceKey = s.json().substring(14, 46).getBytes(StandardCharsets.US_ASCII);
        acks.add(producer.send(new ProducerRecord<>(topic, traceKey, s.bytes())));
      }
      for (java.util.concurrent.Future<?> ack : acks) {
        ack.get();
      }
    }
  }

  /** Span ids in the output topic, read from the start until {@code expected} are seen or the wait is over. */
  private static Set<String> outputSpanIds(int expected) {
    return outputSpanIds("segments-out", expected);
  }

  private static Set<String> outputSpanIds(String topic, int expected) {
    return spanIds(broker.get().readUntil(topic, records -> spanIds(records).size() >= expected, WAIT));
  }

  private static Set<String> spanIds(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        JSON.readTree(r.value()).get("spans").forEach(s -> ids.add(s.get("span_id").asText()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return ids;
  }

  @Test
  void onRedisItLeavesUnfinishedSegmentsInTheStoreForTheNextOwner() throws Exception {
    broker.get().createTopic("spans-in-redis", 1, Map.of());
    broker.get().createTopic("segments-out-redis", 1, Map.of());
    try (RedisServers redis = RedisServers.standalone()) {
      RunCommand command = new RunCommand();
      CommandLine cli = new CommandLine(command);
      StringWriter err = new StringWriter();
      cli.setErr(new PrintWriter(err, true));
      AtomicInteger status = new AtomicInteger(-1);
      Thread service = new Thread(() -> status.set(cli.execute(
          "--bootstrap-servers", broker.get().bootstrapServers(), "--input-topic", "spans-in-redis",
          "--output-topic", "segments-out-redis", "--group-id", "segbuf-redis",
          "--root-timeout", "0.05", "--store", redis.uri())), "segbuf-run-redis");
      service.start();

      String trace = "00000000000000000000000000000123";
      String orphans = "00000000000000000000000000000456";
      produce("spans-in-redis", List.of(TestSpans.span(11).trace(trace), TestSpans.span(12).parent(11).trace(trace),
          TestSpans.span(14).parent(19).trace(orphans)));
      assertThat(outputSpanIds("segments-out-redis", 2)).containsExactlyInAnyOrder(
          "000000000000000b", "000000000000000c");
      command.stop();
      service.join(WAIT.toMillis());

      assertThat(status.get()).as(err.toString()).isZero();
      try (SegmentStore store = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.uri()).build())) {
        store.acquire(0); // as the partition's next owner
        assertThat(store.usage().spans()).as("the orphan waits in Redis for its timeout").isEqualTo(1);
      }
    }
  }

  @Test
  void producerRefusedForGoodStopsTheServiceWithOneLineAndStatusOne() throws Exception {
    broker.get().createTopic("spans-in-fatal", 1, Map.of());
    RunCommand command = new RunCommand();
    CommandLine cli = new CommandLine(command);
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    produce("spans-in-fatal", List.of(TestSpans.span(1).trace("00000000000000000000000000000789")));

    // an internal topic: the broker refuses every append (an InvalidTopicException). Credentials the broker refuses
    // are caught earlier, by the start-up probe, which connects as the producer does.
    int status = cli.execute("--bootstrap-servers", broker.get().bootstrapServers(), "--input-topic", "spans-in-fatal",
        "--output-topic", "__consumer_offsets", "--group-id", "segbuf-fatal", "--root-timeout", "0.05");

    assertThat(status).as(err.toString()).isEqualTo(1);
    assertThat(err.toString().lines().filter(l -> l.startsWith("segbuf run: stopped:")))
        .singleElement().asString().contains("__consumer_offsets");
    assertThat(broker.get().committedOffsetSum("segbuf-fatal")).as("nothing flushed, nothing committed").isZero();
  }

  @Test
  void runsFromAConfigFileAndDrainsOnStop() throws Exception {
    Path config = dir.resolve("segbuf.properties");
    Files.writeString(config, String.join("\n",
        "bootstrap-servers=" + broker.get().bootstrapServers(),
        "input-topic=spans-in",
        "output-topic=segments-out",
        "group-id=segbuf-it",
        "root-timeout=0.05",
        "producer.linger.ms=1",
        "consumer.max.poll.records=100",
        "metrics-port=0",
        "flush-threads=2",
        ""));
    RunCommand command = new RunCommand();
    CommandLine cli = new CommandLine(command);
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    AtomicInteger status = new AtomicInteger(-1);
    Thread service = new Thread(() -> status.set(cli.execute("--config", config.toString())), "segbuf-run");
    service.start();

    String trace = "00000000000000000000000000000abc";
    String orphans = "00000000000000000000000000000def";
    produce(List.of(TestSpans.span(1).trace(trace), TestSpans.span(2).parent(1).trace(trace),
        TestSpans.span(3).parent(2).trace(trace),
        // no root: flushed only by the 60 s timeout, or by the drain on stop
        TestSpans.span(4).parent(9).trace(orphans), TestSpans.span(5).parent(9).trace(orphans)));

    assertThat(outputSpanIds(3)).containsExactlyInAnyOrder(
        "0000000000000001", "0000000000000002", "0000000000000003");
    Matcher endpoint = Pattern.compile("metrics at (http://\\S+/metrics)").matcher(err.toString());
    assertThat(endpoint.find()).as(err.toString()).isTrue();
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint.group(1))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body())
        .contains("segbuf_consumer_records_total{output_topic=\"segments-out\"} 5.0")
        .contains("segbuf_messages_size_bytes_count{output_topic=\"segments-out\"} 1")
        .contains("segbuf_sink_latency_seconds_count{outcome=\"acknowledged\",output_topic=\"segments-out\"} 1")
        .contains("segbuf_store_latency_seconds_count{operation=\"add\",output_topic=\"segments-out\"}")
        .contains("jvm_memory_used_bytes");
    command.stop();
    service.join(WAIT.toMillis());

    assertThat(status.get()).as(err.toString()).isZero();
    assertThat(outputSpanIds(5)).hasSize(5).contains("0000000000000004", "0000000000000005");
    assertThat(err.toString())
        .contains("segbuf run: spans-in -> segments-out")
        .contains("stopped; 5 records polled, 0 invalid, 0 duplicates, 2 segments");
  }
}
