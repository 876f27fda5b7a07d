package io.segbuf.kafka;

import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import io.segbuf.kafka.internal.ClientChecks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Immutable options of a {@link KafkaSegmentSink}: where to produce and the producer's properties. Built with
 * {@link #builder()}; {@link Builder#build()} reports every problem at once in a {@link ConfigException}.
 *
 * <p>The sink always produces idempotently with {@code acks=all}; extra producer properties may repeat these
 * values but not contradict them, and {@code max.in.flight.requests.per.connection} must stay at most 5 so that
 * the chunks of a segment keep their order.
 */
public final class KafkaSinkOptions {
  /** The output topic unless set. */
  public static final String DEFAULT_TOPIC = "buffered-segments";
  /** The producer's own default {@code max.request.size}. */
  public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
  /** The producer's {@code max.block.ms} unless set. */
  public static final int DEFAULT_MAX_BLOCK_MS = 10_000;
  /**
   * The producer's {@code batch.size} unless set: Kafka's 16 KiB holds one message of ten 1 KiB spans, so every
   * message was a batch of its own; at 256 KiB, ServiceBenchmark measured about 30 % less broker CPU per span, the
   * service's own about the same.
   */
  public static final int DEFAULT_BATCH_SIZE = 256 * 1024;

  private final String bootstrapServers;
  private final String topic;
  private final Map<String, String> producerProperties;
  private final int maxRequestSize;

  private KafkaSinkOptions(Builder b, int maxRequestSize) {
    this.bootstrapServers = b.bootstrapServers;
    this.topic = b.topic;
    this.producerProperties = Map.copyOf(b.producerProperties);
    this.maxRequestSize = maxRequestSize;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options, to change some of them} */
  public Builder toBuilder() {
    return new Builder().bootstrapServers(bootstrapServers).topic(topic).producerProperties(producerProperties);
  }

  /** {@return the brokers to connect to first, {@code host:port[,host:port…]}} */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** {@return the topic segments are produced to; default {@value #DEFAULT_TOPIC}} */
  public String topic() {
    return topic;
  }

  /** {@return the extra producer properties, as given (unmodifiable)} */
  public Map<String, String> producerProperties() {
    return producerProperties;
  }

  /**
   * {@return the producer's {@code max.request.size} in bytes}: every record, key, headers and overhead included,
   * fits it. Default {@value #DEFAULT_MAX_REQUEST_SIZE}.
   */
  public int maxRequestSize() {
    return maxRequestSize;
  }

  /**
   * The producer configuration: the extra properties, then the bootstrap servers, idempotence and acks. {@code
   * max.block.ms} defaults to {@value #DEFAULT_MAX_BLOCK_MS} rather than Kafka's 60 s: a send blocks that long when
   * the broker is away, and holds the flusher meanwhile. {@code batch.size} defaults to {@value
   * #DEFAULT_BATCH_SIZE}: see {@link #DEFAULT_BATCH_SIZE}.
   *
   * @return a new, modifiable map to give to a {@code KafkaProducer}
   */
  public Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>(producerProperties);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(DEFAULT_MAX_BLOCK_MS));
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(DEFAULT_BATCH_SIZE));
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequestSize));
    return config;
  }

  @Override
  public String toString() {
    return "KafkaSinkOptions{bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", maxRequestSize="
        + maxRequestSize + ", producerProperties=" + producerProperties.keySet() + "}";
  }

  /** Builds {@link KafkaSinkOptions}; setters have no {@code set} prefix, {@link #build()} checks everything. */
  public static final class Builder {
    private String bootstrapServers = "";
    private String topic = DEFAULT_TOPIC;
    private final Map<String, String> producerProperties = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the brokers to connect to first (required).
     *
     * @param bootstrapServers {@code host:port[,host:port…]}, not blank
     * @return this builder
     */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /**
     * Sets the topic segments are produced to.
     *
     * @param topic a legal Kafka topic name; default {@value #DEFAULT_TOPIC}
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Adds one extra producer property (for example {@code max.request.size}, {@code compression.type}), replacing
     * an earlier value. {@code bootstrap.servers} and the serializers are refused; see the class comment for
     * {@code acks}, {@code enable.idempotence} and {@code max.in.flight.requests.per.connection}.
     *
     * @param name a Kafka producer property
     * @param value its value
     * @return this builder
     */
    public Builder producerProperty(String name, String value) {
      producerProperties.put(name, value);
      return this;
    }

    /**
     * Adds extra producer properties, as {@link #producerProperty} does for each.
     *
     * @param properties Kafka producer properties and their values
     * @return this builder
     */
    public Builder producerProperties(Map<String, String> properties) {
      producerProperties.putAll(properties);
      return this;
    }

    /**
     * Checks every rule.
     *
     * @return the options
     * @throws ConfigException listing every problem
     */
    public KafkaSinkOptions build() {
      List<ConfigProblem> problems = new ArrayList<>();
      ClientChecks.bootstrapServers(bootstrapServers, problems);
      ClientChecks.topic("topic", topic, problems);
      int maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;
      String size = producerProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
      if (size != null) {
        int min = KafkaSegmentSink.minRequestSize();
        try {
          maxRequestSize = Integer.parseInt(size.trim());
          if (maxRequestSize < min) {
            problems.add(new ConfigProblem(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                "be >= " + min + " (room for the smallest message, key and headers)", size));
          }
        } catch (NumberFormatException e) {
          problems.add(new ConfigProblem(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "be an integer", "'" + size + "'"));
        }
      }
      String acks = producerProperties.get(ProducerConfig.ACKS_CONFIG);
      if (acks != null && !acks.trim().equals("all") && !acks.trim().equals("-1")) {
        problems.add(new ConfigProblem(ProducerConfig.ACKS_CONFIG, "be all", acks));
      }
      String idempotence = producerProperties.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
      if (idempotence != null && !idempotence.trim().equalsIgnoreCase("true")) {
        problems.add(new ConfigProblem(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "be true", idempotence));
      }
      String inFlight = producerProperties.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
      if (inFlight != null && !inFlight.trim().matches("[1-5]")) {
        problems.add(new ConfigProblem(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            "be 1 to 5 (chunks keep their order)", inFlight));
      }
      ClientChecks.notSet("producerProperties", producerProperties, List.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG), problems);
      ConfigException.throwIfAny(problems);
      return new KafkaSinkOptions(this, maxRequestSize);
    }
  }
}
