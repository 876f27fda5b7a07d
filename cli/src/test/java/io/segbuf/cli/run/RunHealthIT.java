package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.kafka.KafkaExtension;
import io.segbuf.redis.RedisServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** segbuf run's health endpoints, health file and meters against a real broker and a real Redis it loses. */
class RunHealthIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asks {@code url} until the answer matches, or the wait is over; returns the last answer. */
  private static HttpResponse<String> awaitAnswer(String url, Predicate<HttpResponse<String>> wanted)
      throws Exception {
    // counts its polling intervals instead of reading the clock: the wait lasts at least WAIT
    HttpResponse<String> answer = get(url);
    for (long waited = 0; !wanted.test(answer) && waited < WAIT.toMillis(); waited += 100) {
      Thread.sleep(100);
      answer = get(url);
    }
    return answer;
  }

  @Test
  void liveAndReadyWithMetersThenNotReadyOnceTheStoreIsGone() throws Exception {
    broker.get().createTopic("spans-health", 2, Map.of());
    broker.get().createTopic("segments-health", 2, Map.of());
    Path healthFile = dir.resolve("healthy");
    RunCommand command = new RunCommand();
    CommandLine cli = new CommandLine(command);
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    AtomicInteger status = new AtomicInteger(-1);
    RedisServers redis = RedisServers.standalone();
    try {
      Thread service = new Thread(() -> status.set(cli.execute(
          "--bootstrap-servers", broker.get().bootstrapServers(), "--input-topic", "spans-health",
          "--output-topic", "segments-health", "--group-id", "segbuf-health", "--store", redis.uri(),
          "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--health-file", healthFile.toString(),
          "--startup-timeout", "2", "--log-level", "off")), "segbuf-run-health");
      service.start();
      String base = awaitBase(err);

      HttpResponse<String> ready = awaitAnswer(base + "/readyz", r -> r.statusCode() == 200);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ok\n");
      assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
      assertThat(healthFile).exists();
      System.gc(); // the GC pause timer appears with the first collection it hears of
      List<String> documented = documentedMeters();
      HttpResponse<String> metrics = awaitAnswer(base + "/metrics",
          r -> documented.stream().allMatch(name -> r.body().contains(name + "{") || r.body().contains(name + " ")
              || r.body().contains(name + "_count{")));
      for (String name : documented) {
        assertThat(metrics.body()).as(name).containsAnyOf(name + "{", name + " ", name + "_count{");
      }
      assertThat(metrics.body())
          .contains("segbuf_consumer_records_total{output_topic=\"segments-health\"}")
          .contains("kafka_consumer_fetch_manager_records_lag_max{client_id=")
          .contains("kafka_consumer_coordinator_assigned_partitions{client_id=")
          .contains("kafka_producer_record_send_total{client_id=");

      redis.close();
      HttpResponse<String> notReady = awaitAnswer(base + "/readyz", r -> r.statusCode() == 503);
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).startsWith("the store does not answer: ");
      assertThat(get(base + "/healthz").statusCode()).as("a lost store does not make it wedged").isEqualTo(200);

      command.stop();
      service.join(WAIT.toMillis());
    } finally {
      redis.close();
    }
    // Nothing was buffered, so the drain on stop needs nothing of the store: a clean stop, in one line.
    assertThat(status.get()).as(err.toString()).isZero();
    assertThat(err.toString().lines().reduce((first, second) -> second).orElseThrow())
        .startsWith("segbuf run: stopped; ").doesNotContain("Exception");
  }

  /** Every meter name in the operations page's metrics table, but the Kafka clients' wildcard row. */
  private static List<String> documentedMeters() throws java.io.IOException {
    String doc = Files.readString(Path.of("..", "docs", "operations.md"));
    String table = doc.substring(doc.indexOf("| name | type | tags | meaning |"));
    List<String> names = new ArrayList<>();
    for (String row : table.lines().skip(2).takeWhile(l -> l.startsWith("| ")).toList()) {
      String first = row.substring(2, row.indexOf(" |", 2));
      Matcher name = Pattern.compile("`([a-z0-9_]+)`").matcher(first);
      while (name.find()) {
        names.add(name.group(1));
      }
    }
    assertThat(names).hasSizeGreaterThan(40);
    return names;
  }

  private static String awaitBase(StringWriter err) throws InterruptedException {
    Pattern endpoint = Pattern.compile("metrics at (http://\\S+)/metrics");
    Matcher matcher = endpoint.matcher(err.toString());
    for (long waited = 0; !matcher.find(); waited += 50) {
      assertThat(waited).as(err.toString()).isLessThan(WAIT.toMillis());
      Thread.sleep(50);
      matcher = endpoint.matcher(err.toString());
    }
    return matcher.group(1);
  }
}
