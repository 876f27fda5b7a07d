package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.Await;
import io.segbuf.kafka.InputTraces;
import io.segbuf.kafka.KafkaBroker;
import io.segbuf.kafka.KafkaExtension;
import io.segbuf.kafka.OutputRecords;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code segbuf run} on the in-memory store, the built jar as its own process, killed with SIGKILL while it holds
 * spans it has read but not flushed, and started again with the same group: every span comes out at least once,
 * because the killed process committed its input only up to the oldest span it had not flushed. The processes'
 * output goes to {@code target/RunKilledInMemoryJarIT-*.log}.
 */
class RunKilledInMemoryJarIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Pattern ENDPOINT = Pattern.compile("metrics at (http://\\S+/metrics)");
  private static final Pattern RECORDS = Pattern.compile("segbuf_consumer_records_total\\{[^}]*} ([0-9.E]+)");

  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");
  private final String group = "segbuf-" + in;
  private final HttpClient http = HttpClient.newHttpClient();
  private final JarProcesses jar = new JarProcesses("RunKilledInMemoryJarIT");

  private Process run(String name) throws IOException {
    return jar.start(name, "run",
        "--bootstrap-servers", broker.get().bootstrapServers(), "--input-topic", in, "--output-topic", out,
        "--group-id", group, "--metrics-port", "0",
        "--consumer-property", "session.timeout.ms=6000", "--consumer-property", "heartbeat.interval.ms=1000");
  }

  private String log(String name) throws IOException {
    return jar.log(name);
  }

  /** Records the process polled, from its metrics endpoint; -1 until the endpoint is up. */
  private long polled(String name) {
    try {
      Matcher endpoint = ENDPOINT.matcher(log(name));
      if (!endpoint.find()) {
        return -1;
      }
      String body = http.send(HttpRequest.newBuilder(URI.create(endpoint.group(1))).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher records = RECORDS.matcher(body);
      return records.find() ? (long) Double.parseDouble(records.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Set<String> spansOut(int expected) {
    List<ConsumerRecord<byte[], byte[]>> records =
        broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= expected, WAIT);
    Set<String> ids = new HashSet<>();
    OutputRecords.decode(records).forEach(o -> ids.addAll(o.spanIds()));
    return ids;
  }

  @Test
  void killedWhileHoldingUnflushedSpansAndStartedAgainItFlushesEverySpan() throws Exception {
    broker.get().createTopic(in, 2, Map.of());
    broker.get().createTopic(out, 2, Map.of());

    Process first = run("first");
    Set<String> flushed;
    Set<String> held;
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      // old event times: flushed as soon as the process has caught up (its clock is then the wall clock)
      flushed = InputTraces.produce(input, in, 40, 4, 100, T0);
      assertThat(spansOut(flushed.size())).as(log("first")).containsAll(flushed);
      // event times ahead of the wall clock (within the broker's one hour): due only in 40 minutes
      held = InputTraces.produce(input, in, 40, 4, 100, Instant.now().plus(Duration.ofMinutes(40)));
    }
    int all = flushed.size() + held.size();
    try {
      Await.until("the first process polling every record", WAIT, () -> polled("first") >= all || !first.isAlive());
      assertThat(first.isAlive()).as(log("first")).isTrue();
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no commit
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
    }
    assertThat(spansOut(flushed.size())).as("killed holding spans it had read and not flushed")
        .doesNotContainAnyElementsOf(held);

    Process second = run("second");
    try {
      Await.until("the second process reading again what the first had not flushed", WAIT,
          () -> polled("second") >= held.size() || !second.isAlive());
      second.destroy(); // SIGTERM: its shutdown hook drains and commits
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(log("second")).contains("segbuf run: stopped;");
      Set<String> out = spansOut(all);
      assertThat(out).as(log("second")).containsAll(flushed).containsAll(held);
    } finally {
      second.destroyForcibly();
    }
  }
}
