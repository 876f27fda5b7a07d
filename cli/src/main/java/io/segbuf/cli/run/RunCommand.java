package io.segbuf.cli.run;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.segbuf.BufferStats;
import io.segbuf.ChunkingStrategy;
import io.segbuf.ConfigException;
import io.segbuf.FatalSinkException;
import io.segbuf.SegmentSink;
import io.segbuf.SegmentStore;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
      "Options may also come from a properties file (--config): keys are option names without the dashes",
      "(bootstrap-servers=..., root-timeout=...), and producer.<name> / consumer.<name> set Kafka client",
      "properties. Options on the command line win over the file.",
      "Runs until SIGTERM or Ctrl-C; then stops polling, flushes everything it holds, commits and exits.",
      "Exit status: 143 (SIGTERM) or 130 (Ctrl-C) after a clean drain, 1 failed (for example the producer was",
      "refused for good: it stops without flushing more), 2 bad options."
    })
public final class RunCommand implements Callable<Integer> {

  /** Configuration properties to the flags that set them, for error messages. */
  private static final Map<String, String> FLAGS = Map.ofEntries(
      Map.entry("bootstrapServers", "--bootstrap-servers"),
      Map.entry("groupId", "--group-id"),
      Map.entry("pauseAboveMemoryFraction", "--pause-above-memory-fraction"),
      Map.entry("pauseAboveBufferedBytes", "--pause-above-buffered-bytes"),
      Map.entry("laggingFlushCycles", "--lagging-flush-cycles"),
      Map.entry("flushThreads", "--flush-threads"),
      Map.entry("deadLetterTopic", "--dead-letter-topic"),
      Map.entry("max.request.size", "--max-request-size"));

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

  @Option(names = "--pause-above-memory-fraction", paramLabel = "FRACTION", defaultValue = "0.9",
      description = "Pause input when the store uses this share of its memory limit. Default: ${DEFAULT-VALUE}.")
  double pauseAboveMemoryFraction;

  @Option(names = "--pause-above-buffered-bytes", paramLabel = "BYTES", defaultValue = "0",
      description = "Pause input when the store holds this many span bytes; 0 for no limit. "
          + "Default: ${DEFAULT-VALUE}.")
  long pauseAboveBufferedBytes;

  @Option(names = "--lagging-flush-cycles", paramLabel = "N", defaultValue = "3",
      description = "Pause input when a shard's flush is at --max-flush-segments (or failing) this many cycles "
          + "in a row. Default: ${DEFAULT-VALUE}.")
  int laggingFlushCycles;

  @Option(names = "--flush-threads", paramLabel = "N", defaultValue = "1",
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

  @Option(names = "--producer-property", paramLabel = "NAME=VALUE", description = "A Kafka producer property.")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(names = "--consumer-property", paramLabel = "NAME=VALUE", description = "A Kafka consumer property.")
  Map<String, String> consumerProperties = new LinkedHashMap<>();

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

  private int runService(PrintWriter err) {
    List<String> problems = new ArrayList<>();
    if (config != null) {
      readConfig(config, problems);
    }
    String storeProblem = StoreUri.problem(store);
    if (storeProblem != null) {
      problems.add(storeProblem);
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      problems.add("--metrics-port must be 0 to 65535 but was " + metricsPort);
    }
    boolean localStore = StoreUri.MEMORY.equalsIgnoreCase(store);
    ChunkingStrategy strategy = null;
    try {
      strategy = ChunkingStrategy.valueOf(chunking.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add("--chunking must be greedy or subtree but was " + chunking);
    }
    KafkaSinkOptions sinkOptions = null;
    SpanConsumerOptions consumerOptions = null;
    SpanBufferConfig bufferConfig = null;
    Map<String, String> producer = new LinkedHashMap<>(producerProperties);
    producer.put("max.request.size", Integer.toString(maxRequestSize));
    try {
      sinkOptions = KafkaSinkOptions.builder().bootstrapServers(bootstrapServers).topic(outputTopic)
          .producerProperties(producer).build();
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    try {
      consumerOptions = SpanConsumerOptions.builder().bootstrapServers(bootstrapServers).topic(inputTopic)
          .groupId(groupId).consumerProperties(consumerProperties).deadLetterTopic(deadLetterTopic)
          .pauseAboveMemoryFraction(pauseAboveMemoryFraction).pauseAboveBufferedBytes(pauseAboveBufferedBytes)
          .laggingFlushCycles(laggingFlushCycles).flushThreads(flushThreads).drainOnRevoke(localStore).build();
    } catch (ConfigException e) {
      problems.addAll(e.problems().stream().filter(p -> !p.startsWith("bootstrapServers")).toList());
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
      problems.addAll(e.problems().stream()
          .filter(p -> maxMessageBytes != null || !p.startsWith("maxMessageBytes")).toList());
    }
    if (!problems.isEmpty() || sinkOptions == null || consumerOptions == null || bufferConfig == null) {
      err.println("segbuf run: " + PolicyOptions.flagNames(problems, FLAGS) + " (see --help)");
      return spec.exitCodeOnInvalidInput();
    }
    return serve(err, sinkOptions, consumerOptions, bufferConfig);
  }

  private int serve(PrintWriter err, KafkaSinkOptions sinkOptions, SpanConsumerOptions consumerOptions,
      SpanBufferConfig bufferConfig) {
    Thread hook = new Thread(this::stop, "segbuf-shutdown");
    try (MetricsEndpoint metrics = metricsPort == null ? null : new MetricsEndpoint(metricsPort);
        SegmentStore opened = StoreUri.open(store);
        KafkaSegmentSink kafka = KafkaSegmentSink.create(sinkOptions)) {
      SegmentStore segments = opened;
      SegmentSink sink = kafka;
      if (metrics != null) {
        Tags tags = Tags.of("output_topic", outputTopic);
        segments = new MeteredSegmentStore(opened, metrics.registry(), tags);
        sink = new MeteredSegmentSink(kafka, metrics.registry(), tags);
      }
      SpanBuffer buffer = SpanBuffer.create(bufferConfig, segments, sink);
      SpanConsumer consumer = SpanConsumer.create(consumerOptions, buffer);
      if (metrics != null) {
        new SpanBufferMetrics(buffer, consumer, Tags.of("output_topic", outputTopic)).bindTo(metrics.registry());
        new JvmMemoryMetrics().bindTo(metrics.registry());
        new ProcessorMetrics().bindTo(metrics.registry());
      }
      running = consumer;
      Runtime.getRuntime().addShutdownHook(hook);
      err.println("segbuf run: " + inputTopic + " -> " + outputTopic + " at " + bootstrapServers + ", group "
          + groupId + ", message budget " + bufferConfig.maxMessageBytes() + " bytes"
          + (metrics == null ? "" : ", metrics at http://localhost:" + metrics.port() + "/metrics"));
      err.flush();
      consumer.run();
      err.println(summary(buffer.stats(), consumer.stats()));
      return 0;
    } catch (FatalSinkException e) {
      // the consumer stopped by itself, committing only what it had flushed
      err.println("segbuf run: stopped: " + String.valueOf(e.getMessage()).replaceAll("\\p{Cntrl}", " "));
      return 1;
    } catch (RuntimeException e) {
      err.println("segbuf run: " + e);
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for this method to finish
      }
    }
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

  private static String summary(BufferStats b, ConsumerStats c) {
    return String.format(Locale.ROOT,
        "segbuf run: stopped; %d records polled, %d invalid, %d duplicates, %d segments (%d chunked) in %d "
            + "messages, %d spans flushed, %d spans rejected, %d pauses",
        c.polledRecords(), b.invalidTotal(), b.duplicateSpans(), b.flushedSegments(), b.chunkedSegments(),
        b.flushedMessages(), b.flushedSpans(), b.rejectedSpans(), c.pauses());
  }

  /**
   * Sets every option the file names and the command line did not; {@code producer.*} and {@code consumer.*}
   * keys go to the client properties.
   */
  private void readConfig(Path file, List<String> problems) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      problems.add("--config must be a readable properties file but was " + file + " (" + e.getMessage() + ")");
      return;
    }
    for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key).trim();
      if (key.startsWith("producer.")) {
        producerProperties.putIfAbsent(key.substring("producer.".length()), value);
        continue;
      }
      if (key.startsWith("consumer.")) {
        consumerProperties.putIfAbsent(key.substring("consumer.".length()), value);
        continue;
      }
      OptionSpec option = spec.findOption("--" + key);
      if (option == null || key.equals("config") || option.usageHelp() || option.versionHelp()) {
        problems.add("--config key must be an option name but was " + key);
        continue;
      }
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        continue;
      }
      try {
        option.setValue(convert(value, option.type()));
      } catch (RuntimeException e) {
        problems.add("--" + key + " must be " + kind(option.type()) + " but was " + value);
      }
    }
  }

  private static Object convert(String value, Class<?> type) {
    if (type == int.class || type == Integer.class) {
      return Integer.valueOf(value);
    }
    if (type == long.class || type == Long.class) {
      return Long.valueOf(value);
    }
    if (type == double.class || type == Double.class) {
      return Double.valueOf(value);
    }
    if (type == Path.class) {
      return Path.of(value);
    }
    if (type == String.class) {
      return value;
    }
    throw new IllegalArgumentException("unsupported option type " + type);
  }

  private static String kind(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    return type == double.class || type == Double.class ? "a number" : "a " + type.getSimpleName();
  }

}
