package io.segbuf.cli.run;

import io.segbuf.ChunkingStrategy;
import io.segbuf.ConfigException;
import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.FlagNames;
import io.segbuf.cli.OptionValues;
import io.segbuf.cli.PolicyOptions;
import io.segbuf.cli.StoreUri;
import io.segbuf.kafka.KafkaSegmentSink;
import io.segbuf.kafka.KafkaSinkOptions;
import io.segbuf.kafka.SpanConsumerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code segbuf run}'s options converted into the configuration of its parts: the buffer's, the producer sink's,
 * the consumer's, the store's address, the listeners, the limits and the logging. {@link #of} checks every option
 * and reports every problem in the command's flags, in one list. Immutable.
 *
 * @param buffer the span buffer's configuration, message budget derived from {@code --max-request-size} unless set
 * @param sink the producer sink's options; {@code max.request.size} among its producer properties
 * @param consumer the consumer's options; drains revoked partitions when the store is in memory
 * @param store the {@code --store} address, a {@link StoreUri}
 * @param metricsPort the metrics and health listener's port, or null for none
 * @param metricsHost the address that listener binds to
 * @param healthFile the file touched while the service is live, or null for none
 * @param startupTimeout how long Kafka and the store may take to answer at start
 * @param livenessTimeout how long the service may show no progress and still be live
 * @param logLevel segbuf's log level
 * @param logFormat the log lines' format
 */
record RunSettings(SpanBufferConfig buffer, KafkaSinkOptions sink, SpanConsumerOptions consumer, String store,
    @Nullable Integer metricsPort, String metricsHost, @Nullable Path healthFile, Duration startupTimeout,
    Duration livenessTimeout, LogSetup.LogLevel logLevel, LogSetup.Format logFormat) {

  /** The settings {@code options} give, or null when any is invalid; every problem is added to {@code problems}. */
  static @Nullable RunSettings of(RunCommand options, List<String> problems) {
    CommandSpec spec = options.spec;
    String storeProblem = StoreUri.problem(options.store);
    if (storeProblem != null) {
      problems.add(storeProblem);
    }
    Integer metricsPort = options.metricsPort;
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      problems.add("--metrics-port must be 0 to 65535 but was " + metricsPort);
    }
    if (!(options.startupTimeoutSeconds > 0)) {
      problems.add("--startup-timeout must be > 0 but was " + options.startupTimeoutSeconds);
    }
    if (!(options.livenessTimeoutSeconds > 0)) {
      problems.add("--liveness-timeout must be > 0 but was " + options.livenessTimeoutSeconds);
    }
    LogSetup.LogLevel level = choice("--log-level", options.logLevel, LogSetup.LogLevel.class, problems);
    LogSetup.Format format = choice("--log-format", options.logFormat, LogSetup.Format.class, problems);
    ChunkingStrategy strategy = choice("--chunking", options.chunking, ChunkingStrategy.class, problems);
    KafkaSinkOptions sink = null;
    SpanConsumerOptions consumer = null;
    SpanBufferConfig buffer = null;
    Map<String, String> producer = new LinkedHashMap<>(options.producerProperties);
    producer.put("max.request.size", Integer.toString(options.maxRequestSize));
    try {
      sink = KafkaSinkOptions.builder().bootstrapServers(options.bootstrapServers).topic(options.outputTopic)
          .producerProperties(producer).build();
    } catch (ConfigException e) {
      problems.addAll(FlagNames.messages(spec, e.problems()));
    }
    try {
      consumer = SpanConsumerOptions.builder().bootstrapServers(options.bootstrapServers).topic(options.inputTopic)
          .groupId(options.groupId).consumerProperties(options.consumerProperties)
          .deadLetterTopic(options.deadLetterTopic).pauseAboveMemoryFraction(options.pauseAboveMemoryFraction)
          .pauseAboveBufferedBytes(options.pauseAboveBufferedBytes).laggingFlushCycles(options.laggingFlushCycles)
          .flushThreads(options.flushThreads).drainOnRevoke(StoreUri.MEMORY.equalsIgnoreCase(options.store))
          .build();
    } catch (ConfigException e) {
      // the sink's options report the same servers
      problems.addAll(FlagNames.messages(spec,
          e.problems().stream().filter(p -> !p.property().equals("bootstrapServers")).toList()));
    }
    Integer maxMessageBytes = options.maxMessageBytes;
    int budget = KafkaSegmentSink.maxMessageBytes(options.maxRequestSize);
    if (maxMessageBytes != null && maxMessageBytes > budget) {
      problems.add("--max-message-bytes must be <= " + budget + " (what --max-request-size="
          + options.maxRequestSize + " leaves for a value) but was " + maxMessageBytes);
    }
    try {
      SpanBufferConfig.Builder b = options.policy.builder()
          .maxMessageBytes(maxMessageBytes != null ? maxMessageBytes : Integer.valueOf(Math.max(budget, 0)));
      if (strategy != null) {
        b.chunking(strategy);
      }
      buffer = b.build();
    } catch (ConfigException e) {
      // unset, the budget follows --max-request-size, whose own problem is reported
      problems.addAll(FlagNames.messages(spec, e.problems().stream()
          .filter(p -> maxMessageBytes != null || !p.property().equals("maxMessageBytes")).toList()));
    }
    if (!problems.isEmpty() || sink == null || consumer == null || buffer == null || level == null
        || format == null) {
      return null;
    }
    return new RunSettings(buffer, sink, consumer, options.store, metricsPort, options.metricsHost,
        options.healthFile, PolicyOptions.seconds(options.startupTimeoutSeconds),
        PolicyOptions.seconds(options.livenessTimeoutSeconds), level, format);
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
}
