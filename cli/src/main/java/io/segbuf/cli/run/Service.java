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
import io.segbuf.SegbufException;
import io.segbuf.SpanBuffer;
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
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code segbuf run}'s service, wired from its {@link RunSettings}: opens the store and waits for it and Kafka to
 * answer, builds the sink, the buffer and the consumer, the health checks, the metrics listener and the health
 * file, then consumes until the consumer is closed. Used once.
 */
final class Service {
  private final RunSettings settings;
  private final PrintWriter err;
  private final Runnable stop;
  private final Consumer<SpanConsumer> started;

  /**
   * @param stop run on SIGTERM or Ctrl-C: it closes the consumer and waits until {@link #run} has returned
   * @param started told of the consumer just before it runs, so that {@code stop} can close it
   */
  Service(RunSettings settings, PrintWriter err, Runnable stop, Consumer<SpanConsumer> started) {
    this.settings = settings;
    this.err = err;
    this.stop = stop;
    this.started = started;
  }

  /** Runs the service until it is stopped; returns the exit status: 0 after a clean drain, 1 when it failed. */
  int run() {
    Thread hook = new Thread(stop, "segbuf-shutdown");
    Duration startupTimeout = settings.startupTimeout();
    KafkaSinkOptions sinkOptions = settings.sink();
    SpanConsumerOptions consumerOptions = settings.consumer();
    String outputTopic = sinkOptions.topic();
    ExecutorService probes = Executors.newCachedThreadPool(daemon("segbuf-probe"));
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("segbuf-health"));
    Integer metricsPort = settings.metricsPort();
    try (MetricsEndpoint metrics = metricsPort == null ? null
            : new MetricsEndpoint(settings.metricsHost(), metricsPort);
        SegmentStore opened = openStore();
        KafkaProbe kafkaProbe = new KafkaProbe(sinkOptions.bootstrapServers(), sinkOptions.producerProperties())) {
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
        SpanBuffer buffer = SpanBuffer.create(settings.buffer(), segments, sink);
        SpanConsumer consumer = SpanConsumer.create(consumerWithMeters, buffer);
        HealthCheck health = new HealthCheck(consumer::health, opened::check,
            () -> kafkaProbe.describeTopic(outputTopic, startupTimeout), probes, Clock.systemUTC(),
            settings.livenessTimeout(), startupTimeout);
        if (metrics != null) {
          bindMeters(metrics, buffer, consumer, outputTopic);
          metrics.serveHealth(health);
        }
        Path healthFile = settings.healthFile();
        if (healthFile != null) {
          HealthFile file = new HealthFile(healthFile, health, Clock.systemUTC());
          ScheduledFuture<?> unused = ticker.scheduleWithFixedDelay(file::touch, 0, 1, TimeUnit.SECONDS);
        }
        started.accept(consumer);
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("segbuf run: " + consumerOptions.topic() + " -> " + outputTopic + " at "
            + sinkOptions.bootstrapServers() + ", group " + consumerOptions.groupId() + ", message budget "
            + settings.buffer().maxMessageBytes() + " bytes"
            + (metrics == null ? "" : ", metrics at http://" + settings.metricsHost() + ":" + metrics.port()
                + "/metrics"));
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
      return StoreUri.open(settings.store());
    } catch (RuntimeException e) {
      throw new SegbufException("cannot open the store " + settings.store() + ": " + Failures.describe(e), e);
    }
  }

  /** Why the service cannot start: Kafka or the store did not answer within the startup limit; else null. */
  private @Nullable String unreachable(SegmentStore opened, KafkaProbe kafka, ExecutorService probes,
      Duration limit) {
    HealthCheck.Status answer = HealthCheck.ask(opened::check, probes, limit);
    if (!answer.ok()) {
      return "cannot reach the store at " + settings.store() + ": " + answer.detail() + " (--startup-timeout)";
    }
    HealthCheck.Status cluster = HealthCheck.ask(() -> kafka.awaitCluster(limit), probes, limit);
    return cluster.ok() ? null : "cannot reach Kafka at " + settings.sink().bootstrapServers() + ": "
        + cluster.detail() + " (--startup-timeout)";
  }

  /** segbuf's meters, the JVM's and the process's next to the Kafka clients' (bound by their reporters). */
  private static void bindMeters(MetricsEndpoint metrics, SpanBuffer buffer, SpanConsumer consumer,
      String outputTopic) {
    new SpanBufferMetrics(buffer, consumer, Tags.of("output_topic", outputTopic)).bindTo(metrics.registry());
    new JvmMemoryMetrics().bindTo(metrics.registry());
    new JvmGcMetrics().bindTo(metrics.registry());
    new JvmThreadMetrics().bindTo(metrics.registry());
    new ClassLoaderMetrics().bindTo(metrics.registry());
    new ProcessorMetrics().bindTo(metrics.registry());
    new UptimeMetrics().bindTo(metrics.registry());
    new FileDescriptorMetrics().bindTo(metrics.registry());
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
