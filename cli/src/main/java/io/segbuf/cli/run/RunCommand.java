package io.segbuf.cli.run;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.segbuf.BufferStats;
import io.segbuf.ChunkingStrategy;
import io.segbuf.ConfigException;
import io.segbuf.SegbufException;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.FlagNames;
import io.segbuf.cli.OptionValues;
import io.segbuf.cli.PolicyOptions;
import io.segbuf.cli.StoreUri;
import io.segbuf.kafka.ConsumerStats;
import io.segbuf.kafka.KafkaSegmentSink;
import io.segbuf.kafka.KafkaSinkOptions;
import io.segbuf.kafka.MeteredSegmentSink;
import io.segbuf.kafka.MeteredSegmentStore;
import io.segbuf.kafka.SpanBufferMetrics;
import io.segbuf.kafka.SpanConsumer;
import io.segbuf.kafka.SpanConsumerOptions;
import io.segbuf.spi.FatalSinkException;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segbuf run}: consumes {@code ingest-spans}, buffers segments in a store, produces {@code
 * buffered-segments}; until SIGTERM or Ctrl-C, then it stops polling, drains, flushes and commits.
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
    String storeProblem = StoreUri.problem(store);
    if (storeProblem != null) {
      problems.add(storeProblem);
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      problems.add("--metrics-port must be 0 to 65535 but was " + metricsPort);
    }
    if (!(startupTimeoutSeconds > 0)) {
      problems.add("--startup-timeout must be > 0 but was " + startupTimeoutSeconds);
    }
    if (!(livenessTimeoutSeconds > 0)) {
      problems.add("--liveness-timeout must be > 0 but was " + livenessTimeoutSeconds);
    }
    LogSetup.LogLevel level = choice("--log-level", logLevel, LogSetup.LogLevel.class, problems);
    LogSetup.Format format = choice("--log-format", logFormat, LogSetup.Format.class, problems);
    boolean localStore = StoreUri.MEMORY.equalsIgnoreCase(store);
    ChunkingStrategy strategy = choice("--chunking", chunking, ChunkingStrategy.class, problems);
    KafkaSinkOptions sinkOptions = null;
    SpanConsumerOptions consumerOptions = null;
    SpanBufferConfig bufferConfig = null;
    Map<String, String> producer = new LinkedHashMap<>(producerProperties);
    producer.put("max.request.size", Integer.toString(maxRequestSize));
    try {
      sinkOptions = KafkaSinkOptions.builder().bootstrapServers(bootstrapServers).topic(outputTopic)
          .producerProperties(producer).build();
    } catch (ConfigException e) {
      problems.addAll(FlagNames.messages(spec, e.problems()));
    }
    try {
      consumerOptions = SpanConsumerOptions.builder().bootstrapServers(bootstrapServers).topic(inputTopic)
          .groupId(groupId).consumerProperties(consumerProperties).deadLetterTopic(deadLetterTopic)
          .pauseAboveMemoryFraction(pauseAboveMemoryFraction).pauseAboveBufferedBytes(pauseAboveBufferedBytes)
          .laggingFlushCycles(laggingFlushCycles).flushThreads(flushThreads).drainOnRevoke(localStore).build();
    } catch (ConfigException e) {
      // the sink's options report the same servers
      problems.addAll(FlagNames.messages(spec,
          e.problems().stream().filter(p -> !p.property().equals("bootstrapServers")).toList()));
    }
    int budget = KafkaSegmentSink.maxMessageBytes(maxRequestSize);
    if (maxMessageBytes != null && maxMessageBytes > budget) {
      problems.add("--max-message-bytes must be <= " + budget + " (what --max-request-size=" + maxRequestSize
          + " leaves for a value) but was " + maxMessageBytes);
    }
    try {
      SpanBufferConfig.Builder b = policy.builder()
          .maxMessageBytes(maxMessageBytes != null ? maxMessageBytes : Integer.valueOf(Math.max(budget, 0)));
      if (strategy != null) {
        b.chunking(strategy);
      }
      bufferConfig = b.build();
    } catch (ConfigException e) {
      // unset, the budget follows --max-request-size, whose own problem is reported
      problems.addAll(FlagNames.messages(spec, e.problems().stream()
          .filter(p -> maxMessageBytes != null || !p.property().equals("maxMessageBytes")).toList()));
    }
    if (!problems.isEmpty() || sinkOptions == null || consumerOptions == null || bufferConfig == null
        || level == null || format == null) {
      err.println("segbuf run: " + String.join("; ", problems) + " (see --help)");
      return spec.exitCodeOnInvalidInput();
    }
    LogSetup.apply(level, format, System.err);
    return serve(err, sinkOptions, consumerOptions, bufferConfig);
  }

  private int serve(PrintWriter err, KafkaSinkOptions sinkOptions, SpanConsumerOptions consumerOptions,
      SpanBufferConfig bufferConfig) {
    Thread hook = new Thread(this::stop, "segbuf-shutdown");
    Duration startupTimeout = PolicyOptions.seconds(startupTimeoutSeconds);
    ExecutorService probes = Executors.newCachedThreadPool(daemon("segbuf-probe"));
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("segbuf-health"));
    try (MetricsEndpoint metrics = metricsPort == null ? null : new MetricsEndpoint(metricsHost, metricsPort);
        SegmentStore opened = openStore();
        KafkaProbe kafkaProbe = new KafkaProbe(bootstrapServers, producerProperties)) {
      String unreachable = unreachable(opened, kafkaProbe, probes, startupTimeout);
      if (unreachable != null) {
        err.println("segbuf run: " + unreachable);
        return 1;
      }
      SegmentStore segments = opened;
      KafkaSinkOptions sinkWithMeters = sinkOptions;
      SpanConsumerOptions consumerWithMeters = consumerOptions;
      if (metrics != null) {
        segments = new MeteredSegmentStore(opened, metrics.registry(), Tags.of("output_topic", outputTopic));
        sinkWithMeters = sinkOptions.toBuilder().producerProperties(KafkaClientMeters.clientProperties(
            metrics.registry(), sinkOptions.producerProperties())).build();
        consumerWithMeters = consumerOptions.toBuilder().consumerProperties(KafkaClientMeters.clientProperties(
            metrics.registry(), consumerOptions.consumerProperties())).build();
      }
      try (KafkaSegmentSink kafka = KafkaSegmentSink.create(sinkWithMeters)) {
        SegmentSink sink = metrics == null ? kafka
            : new MeteredSegmentSink(kafka, metrics.registry(), Tags.of("output_topic", outputTopic));
        SpanBuffer buffer = SpanBuffer.create(bufferConfig, segments, sink);
        SpanConsumer consumer = SpanConsumer.create(consumerWithMeters, buffer);
        HealthCheck health = new HealthCheck(consumer::health, opened::check,
            () -> kafkaProbe.describeTopic(outputTopic, startupTimeout), probes, Clock.systemUTC(),
            PolicyOptions.seconds(livenessTimeoutSeconds), startupTimeout);
        if (metrics != null) {
          bindMeters(metrics, buffer, consumer);
          metrics.serveHealth(health);
        }
        if (healthFile != null) {
          HealthFile file = new HealthFile(healthFile, health, Clock.systemUTC());
          ScheduledFuture<?> unused = ticker.scheduleWithFixedDelay(file::touch, 0, 1, TimeUnit.SECONDS);
        }
        running = consumer;
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("segbuf run: " + inputTopic + " -> " + outputTopic + " at " + bootstrapServers + ", group "
            + groupId + ", message budget " + bufferConfig.maxMessageBytes() + " bytes"
            + (metrics == null ? "" : ", metrics at http://" + metricsHost + ":" + metrics.port() + "/metrics"));
        err.flush();
        consumer.run();
        err.println(summary(buffer.stats(), consumer.stats()));
        return 0;
      } finally {
        if (metrics != null) {
          KafkaClientMeters.forget(metrics.registry());
        }
      }
    } catch (FatalSinkException e) {
      // the consumer stopped by itself, committing only what it had flushed
      err.println("segbuf run: stopped: " + String.valueOf(e.getMessage()).replaceAll("\\p{Cntrl}", " "));
      return 1;
    } catch (RuntimeException e) {
      err.println("segbuf run: " + Failures.describe(e));
      return 1;
    } finally {
      ticker.shutdownNow();
      probes.shutdownNow();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for this method to finish
      }
    }
  }

  private SegmentStore openStore() {
    try {
      return StoreUri.open(store);
    } catch (RuntimeException e) {
      throw new SegbufException("cannot open the store " + store + ": " + Failures.describe(e), e);
    }
  }

  /** Asks the store something that needs it to answer: the Redis store's usage() is read without asking Redis. */

  /** Why the service cannot start: Kafka or the store did not answer within the startup limit; else null. */
  private @Nullable String unreachable(SegmentStore opened, KafkaProbe kafka, ExecutorService probes,
      Duration limit) {
    HealthCheck.Status answer = HealthCheck.ask(opened::check, probes, limit);
    if (!answer.ok()) {
      return "cannot reach the store at " + store + ": " + answer.detail() + " (--startup-timeout)";
    }
    HealthCheck.Status cluster = HealthCheck.ask(() -> kafka.awaitCluster(limit), probes, limit);
    return cluster.ok() ? null
        : "cannot reach Kafka at " + bootstrapServers + ": " + cluster.detail() + " (--startup-timeout)";
  }

  /** segbuf's meters, the JVM's and the process's next to the Kafka clients' (bound by their reporters). */
  private void bindMeters(MetricsEndpoint metrics, SpanBuffer buffer, SpanConsumer consumer) {
    new SpanBufferMetrics(buffer, consumer, Tags.of("output_topic", outputTopic)).bindTo(metrics.registry());
    new JvmMemoryMetrics().bindTo(metrics.registry());
    new JvmGcMetrics().bindTo(metrics.registry());
    new JvmThreadMetrics().bindTo(metrics.registry());
    new ClassLoaderMetrics().bindTo(metrics.registry());
    new ProcessorMetrics().bindTo(metrics.registry());
    new UptimeMetrics().bindTo(metrics.registry());
    new FileDescriptorMetrics().bindTo(metrics.registry());
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

  private static <E extends Enum<E>> @Nullable E choice(String flag, String value, Class<E> type,
      List<String> problems) {
    try {
      return OptionValues.oneOf(flag, value, type);
    } catch (RuntimeException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String summary(BufferStats b, ConsumerStats c) {
    return String.format(Locale.ROOT,
        "segbuf run: stopped; %d records polled, %d invalid, %d duplicates, %d segments (%d chunked) in %d "
            + "messages, %d spans flushed, %d spans rejected, %d pauses",
        c.polledRecords(), b.invalidTotal(), b.duplicateSpans(), b.flushedSegments(), b.chunkedSegments(),
        b.flushedMessages(), b.flushedSpans(), b.rejectedSpans(), c.pauses());
  }
}
