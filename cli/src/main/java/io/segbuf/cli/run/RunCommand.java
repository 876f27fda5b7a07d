package io.segbuf.cli.run;

import io.segbuf.cli.PolicyOptions;
import io.segbuf.cli.StoreUri;
import io.segbuf.kafka.KafkaSinkOptions;
import io.segbuf.kafka.SpanConsumer;
import io.segbuf.kafka.SpanConsumerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segbuf run}: consumes {@code ingest-spans}, buffers segments in a store, produces {@code
 * buffered-segments}; until SIGTERM or Ctrl-C, then it stops polling, drains, flushes and commits. The options
 * unset on the command line are read by {@link OptionSources}, converted into configuration by {@link RunSettings},
 * and the {@link Service} is wired and run from that.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the span buffer as a service: consumes spans from Kafka, assembles segments, produces messages.",
      "",
      "Each option is taken from, first match wins: the command line; the properties",
      "file of --config (keys are option names without dashes, root-timeout=5;",
      "producer.<name> and consumer.<name> set Kafka client properties); the",
      "environment (SEGBUF_<OPTION>: SEGBUF_ROOT_TIMEOUT=5, SEGBUF_CONFIG=FILE); the",
      "default.",
      "With --metrics-port: GET /metrics, /healthz (live) and /readyz (ready), which",
      "answer 200, or 503 with the reason.",
      "Runs until SIGTERM or Ctrl-C; then stops polling, flushes everything it holds,",
      "commits and exits.",
      "Exit status: 143 (SIGTERM) or 130 (Ctrl-C) after a clean drain; 1 failed (for",
      "example Kafka or the store out of reach within --startup-timeout, or the",
      "producer refused for good: it stops without flushing more); 2 bad options."
    })
public final class RunCommand implements Callable<Integer> {

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  CommandSpec spec;

  @Mixin PolicyOptions policy = new PolicyOptions();

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with options (see above).")
  @Nullable Path config;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers. Required.")
  String bootstrapServers = "";

  @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = SpanConsumerOptions.DEFAULT_TOPIC,
      description = "Topic of spans. Default: ${DEFAULT-VALUE}.")
  String inputTopic = SpanConsumerOptions.DEFAULT_TOPIC;

  @Option(names = "--output-topic", paramLabel = "TOPIC", defaultValue = KafkaSinkOptions.DEFAULT_TOPIC,
      description = "Topic of segments. Default: ${DEFAULT-VALUE}.")
  String outputTopic = KafkaSinkOptions.DEFAULT_TOPIC;

  @Option(names = "--group-id", paramLabel = "GROUP", defaultValue = "segbuf",
      description = "Consumer group. Default: ${DEFAULT-VALUE}.")
  String groupId = "segbuf";

  @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
      description = "Where invalid spans are copied, with their reason in headers. Default: none.")
  @Nullable String deadLetterTopic;

  @Option(names = "--max-request-size", paramLabel = "BYTES", defaultValue = "" + KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE,
      description = "The producer's max.request.size; the message budget is derived from it. "
          + "Default: ${DEFAULT-VALUE}.")
  int maxRequestSize;

  @Option(names = "--max-message-bytes", paramLabel = "BYTES",
      description = "Budget of one message, at most what --max-request-size leaves after key, headers and "
          + "record overhead. Default: that largest value.")
  @Nullable Integer maxMessageBytes;

  @Option(names = "--chunking", paramLabel = "STRATEGY", defaultValue = "greedy",
      description = "greedy (in order, like Sentry) or subtree (keeps subtrees together). "
          + "Default: ${DEFAULT-VALUE}.")
  String chunking = "greedy";

  @Option(names = "--pause-above-memory-fraction", paramLabel = "FRACTION",
      defaultValue = "" + SpanConsumerOptions.DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION,
      description = "Pause input when the store uses this share of its memory limit. Default: ${DEFAULT-VALUE}.")
  double pauseAboveMemoryFraction;

  @Option(names = "--pause-above-buffered-bytes", paramLabel = "BYTES",
      defaultValue = "" + SpanConsumerOptions.NO_BYTE_LIMIT,
      description = "Pause input when the store holds this many span bytes; 0 for no limit. "
          + "Default: ${DEFAULT-VALUE}.")
  long pauseAboveBufferedBytes;

  @Option(names = "--lagging-flush-cycles", paramLabel = "N",
      defaultValue = "" + SpanConsumerOptions.DEFAULT_LAGGING_FLUSH_CYCLES,
      description = "Pause input when a shard's flush is at --max-flush-segments (or failing) this many cycles "
          + "in a row. Default: ${DEFAULT-VALUE}.")
  int laggingFlushCycles;

  @Option(names = "--flush-threads", paramLabel = "N", defaultValue = "" + SpanConsumerOptions.DEFAULT_FLUSH_THREADS,
      description = "Threads that flush the owned partitions, a shard at a time each; more help a remote store "
          + "with many partitions. Default: ${DEFAULT-VALUE}.")
  int flushThreads;

  @Option(names = "--store", paramLabel = "STORE", defaultValue = StoreUri.MEMORY,
      description = "Where buffered state lives: memory (revoked partitions are flushed at once), "
          + "redis://[user:password@]host:port or redis-cluster://host:port,... (shared: a revoked partition's "
          + "segments are left to its next owner). Default: ${DEFAULT-VALUE}.")
  String store = StoreUri.MEMORY;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics at http://<host>:PORT/metrics (0: any free port, printed at start). "
          + "Default: off.")
  @Nullable Integer metricsPort;

  @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
      description = "Address the metrics and health listener binds to (127.0.0.1: this machine only). "
          + "Default: ${DEFAULT-VALUE} (every interface).")
  String metricsHost = "0.0.0.0";

  @Option(names = "--health-file", paramLabel = "FILE",
      description = "A file touched every second while the service is live, for platforms that probe a file's "
          + "age. Default: none.")
  @Nullable Path healthFile;

  @Option(names = "--startup-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long to wait at start for Kafka and the store to answer before failing. "
          + "Default: ${DEFAULT-VALUE}.")
  double startupTimeoutSeconds;

  @Option(names = "--liveness-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Not live (GET /healthz answers 503, the health file goes stale) when the poll loop or a "
          + "flusher thread has shown no progress for this long. Default: ${DEFAULT-VALUE}.")
  double livenessTimeoutSeconds;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
      description = "error, warn, info, debug, trace or off: segbuf's own messages; Kafka's and Redis's clients log "
          + "at warn (or this level when quieter). Default: ${DEFAULT-VALUE}.")
  String logLevel = "info";

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text, or json (one object per line: time, level, logger, thread, message, error). "
          + "Default: ${DEFAULT-VALUE}.")
  String logFormat = "text";

  @Option(names = "--producer-property", paramLabel = "NAME=VALUE", description = "A Kafka producer property.")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(names = "--consumer-property", paramLabel = "NAME=VALUE", description = "A Kafka consumer property.")
  Map<String, String> consumerProperties = new LinkedHashMap<>();

  /** Where {@code SEGBUF_*} variables are read; the process environment, or a test's. */
  Map<String, String> environment = System.getenv();

  private volatile @Nullable SpanConsumer running;
  private final CountDownLatch finished = new CountDownLatch(1);

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return runService(err);
    } finally {
      finished.countDown();
    }
  }

  /**
   * Fills the options the command line left unset from the file, then the environment (see {@link OptionSources});
   * adds every problem to {@code problems}.
   */
  void resolveSources(List<String> problems) {
    OptionSources sources = new OptionSources(spec, problems);
    Path file = OptionSources.configFile(config, environment);
    Set<String> fromFile = file == null ? Set.of()
        : sources.readFile(file, producerProperties, consumerProperties);
    sources.readEnvironment(environment, fromFile);
  }

  private int runService(PrintWriter err) {
    List<String> problems = new ArrayList<>();
    resolveSources(problems);
    RunSettings settings = RunSettings.of(this, problems);
    if (settings == null) {
      err.println("segbuf run: " + String.join("; ", problems) + " (see --help)");
      return spec.exitCodeOnInvalidInput();
    }
    LogSetup.apply(settings.logLevel(), settings.logFormat(), System.err);
    return new Service(settings, err, this::stop, consumer -> running = consumer).run();
  }

  /** Stops a running service gracefully and waits until it has drained, committed and exited. */
  public void stop() {
    SpanConsumer consumer = running;
    if (consumer != null) {
      consumer.close();
    }
    try {
      finished.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the service is consuming. */
  public boolean isRunning() {
    return running != null && finished.getCount() > 0;
  }
}
