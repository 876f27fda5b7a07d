package io.segbuf.cli.run;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.jspecify.annotations.Nullable;

/**
 * Binds a Kafka client's own metrics (the consumer's fetch and coordinator metrics, the producer's send metrics)
 * to a Micrometer registry, as a {@link MetricsReporter} the client loads by class name: the consumer and producer
 * stay private to the classes that own them. A Kafka metric {@code GROUP-metrics / NAME} becomes the meter {@code
 * kafka.GROUP.NAME} (dashes as dots) with the metric's tags; {@code *-total} metrics are counters, the rest gauges.
 * A metric whose name another already holds with other tag keys (Prometheus allows one set per name) is left out.
 */
public final class KafkaClientMeters implements MetricsReporter {
  /** The client property that tells the reporter which registry to bind to. */
  static final String REGISTRY_CONFIG = "segbuf.meter.registry";
  private static final Map<String, MeterRegistry> REGISTRIES = new ConcurrentHashMap<>();

  private @Nullable MeterRegistry registry;
  private final Map<MetricName, Meter> meters = new HashMap<>();

  /** Makes {@code registry} known to the reporters of clients configured with the properties returned. */
  static Map<String, String> clientProperties(MeterRegistry registry, Map<String, String> clientProperties) {
    String id = UUID.randomUUID().toString();
    REGISTRIES.put(id, registry);
    String reporters = clientProperties.getOrDefault(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
        JmxReporter.class.getName());
    Map<String, String> withMeters = new HashMap<>(clientProperties);
    withMeters.put(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
        (reporters.isBlank() ? "" : reporters + ",") + KafkaClientMeters.class.getName());
    withMeters.put(REGISTRY_CONFIG, id);
    return withMeters;
  }

  /** Forgets {@code registry}: clients created later no longer bind to it. */
  static void forget(MeterRegistry registry) {
    REGISTRIES.values().removeIf(r -> r == registry);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object id = configs.get(REGISTRY_CONFIG);
    registry = id == null ? null : REGISTRIES.get(id.toString());
  }

  @Override
  public synchronized void init(List<KafkaMetric> metrics) {
    metrics.forEach(this::metricChange);
  }

  @Override
  public synchronized void metricChange(KafkaMetric metric) {
    MeterRegistry target = registry;
    if (target == null || !(metric.metricValue() instanceof Number)) {
      return;
    }
    MetricName name = metric.metricName();
    String group = name.group().replaceFirst("-metrics$", "");
    String metricName = name.name();
    List<Tag> tags = new ArrayList<>();
    name.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '_'), v)));
    try {
      Meter meter;
      if (metricName.endsWith("-total")) {
        String base = ("kafka." + group + "." + metricName.substring(0, metricName.length() - 6)).replace('-', '.');
        meter = FunctionCounter.builder(base, metric, KafkaClientMeters::value).tags(tags).register(target);
      } else {
        String gauge = ("kafka." + group + "." + metricName).replace('-', '.');
        meter = Gauge.builder(gauge, metric, KafkaClientMeters::value).tags(tags).register(target);
      }
      meters.put(name, meter);
    } catch (IllegalArgumentException otherTagKeys) {
      // Prometheus allows one set of tag keys per name: the first registered stays, this one is left out.
    }
  }

  @Override
  public synchronized void metricRemoval(KafkaMetric metric) {
    Meter meter = meters.remove(metric.metricName());
    MeterRegistry target = registry;
    if (meter != null && target != null) {
      target.remove(meter);
    }
  }

  @Override
  public synchronized void close() {
    MeterRegistry target = registry;
    if (target != null) {
      meters.values().forEach(target::remove);
    }
    meters.clear();
  }

  private static double value(KafkaMetric metric) {
    Object value = metric.metricValue();
    return value instanceof Number number ? number.doubleValue() : Double.NaN;
  }
}
