package io.segbuf.kafka;

import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import io.segbuf.kafka.internal.ClientChecks;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

/**
 * Immutable options of a {@link SpanConsumer}: where to read, how to apply backpressure, and what to do with a
 * partition that is taken away. Built with {@link #builder()}; {@link Builder#build()} reports every problem at
 * once in a {@link ConfigException}.
 */
public final class SpanConsumerOptions {
  /** The input topic unless set. */
  public static final String DEFAULT_TOPIC = "ingest-spans";
  private static final String EARLIEST = "earliest";
  private static final String LATEST = "latest";
  /** How long one poll waits for records unless set. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
  /** The store's memory fraction that pauses input unless set. */
  public static final double DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION = 0.9;
  /** Off: buffered bytes alone never pause the consumer. */
  public static final long NO_BYTE_LIMIT = 0;
  /** Flush cycles in a row at the limit that pause a partition unless set. */
  public static final int DEFAULT_LAGGING_FLUSH_CYCLES = 3;
  /** Flusher threads unless set. */
  public static final int DEFAULT_FLUSH_THREADS = 1;
  /** Refusals of one batch in a row before its spans are offered one at a time, unless set. */
  public static final int DEFAULT_DEAD_LETTER_AFTER_REFUSALS = 10;
  /** Backpressure lifts once the store is below this share of the limit that triggered it. */
  public static final double RESUME_FACTOR = 0.8;

  private final String bootstrapServers;
  private final String topic;
  private final String groupId;
  private final Map<String, String> consumerProperties;
  private final Duration pollTimeout;
  private final double pauseAboveMemoryFraction;
  private final long pauseAboveBufferedBytes;
  private final int laggingFlushCycles;
  private final boolean drainOnRevoke;
  private final int flushThreads;
  private final @Nullable String deadLetterTopic;
  private final int deadLetterAfterRefusals;
  private final Clock clock;

  private SpanConsumerOptions(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.topic = b.topic;
    this.groupId = b.groupId;
    this.consumerProperties = Map.copyOf(b.consumerProperties);
    this.pollTimeout = b.pollTimeout;
    this.pauseAboveMemoryFraction = b.pauseAboveMemoryFraction;
    this.pauseAboveBufferedBytes = b.pauseAboveBufferedBytes;
    this.laggingFlushCycles = b.laggingFlushCycles;
    this.drainOnRevoke = b.drainOnRevoke;
    this.flushThreads = b.flushThreads;
    this.deadLetterTopic = b.deadLetterTopic;
    this.deadLetterAfterRefusals = b.deadLetterAfterRefusals;
    this.clock = b.clock;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options, to change some of them} */
  public Builder toBuilder() {
    return new Builder().bootstrapServers(bootstrapServers).topic(topic).groupId(groupId)
        .consumerProperties(consumerProperties).pollTimeout(pollTimeout)
        .pauseAboveMemoryFraction(pauseAboveMemoryFraction).pauseAboveBufferedBytes(pauseAboveBufferedBytes)
        .laggingFlushCycles(laggingFlushCycles).drainOnRevoke(drainOnRevoke).flushThreads(flushThreads)
        .deadLetterTopic(deadLetterTopic).deadLetterAfterRefusals(deadLetterAfterRefusals)
        .clock(clock);
  }

  /** {@return the brokers to connect to first, {@code host:port[,host:port…]}} */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** {@return the topic spans are read from; default {@value #DEFAULT_TOPIC}} */
  public String topic() {
    return topic;
  }

  /** {@return the consumer group} */
  public String groupId() {
    return groupId;
  }

  /** {@return the extra consumer properties, as given (unmodifiable)} */
  public Map<String, String> consumerProperties() {
    return consumerProperties;
  }

  /** {@return the longest one poll waits for records; default 100 ms} */
  public Duration pollTimeout() {
    return pollTimeout;
  }

  /**
   * {@return the store's memory fraction ({@code StoreUsage.memoryFraction()}) at which every owned partition is
   * paused}, in (0, 1]; default {@value #DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION}.
   */
  public double pauseAboveMemoryFraction() {
    return pauseAboveMemoryFraction;
  }

  /**
   * {@return the buffered span bytes at which every owned partition is paused, or {@link #NO_BYTE_LIMIT} (the
   * default)}
   */
  public long pauseAboveBufferedBytes() {
    return pauseAboveBufferedBytes;
  }

  /**
   * {@return the flush cycles in a row at a shard's {@code maxFlushSegments} (or with send failures) that pause
   * its partition}; at least 1, default {@value #DEFAULT_LAGGING_FLUSH_CYCLES}.
   */
  public int laggingFlushCycles() {
    return laggingFlushCycles;
  }

  /**
   * Whether a revoked partition's segments are flushed at once (true, the default: the store is local to this
   * process, so the next owner could not see them) or left in the store for the next owner (false: a shared
   * store such as Redis).
   *
   * @return true to flush a revoked partition's segments at once, false to leave them in the store
   */
  public boolean drainOnRevoke() {
    return drainOnRevoke;
  }

  /**
   * Threads that flush the owned partitions (1, the default), so that waiting for the sink's acknowledgements and
   * the store's answers never delays polling; several share the partitions, a shard flushed by one thread at a
   * time, which helps a remote store (Redis) with many partitions. 0 flushes on the polling thread between polls.
   *
   * @return the number of flusher threads, at least 0
   */
  public int flushThreads() {
    return flushThreads;
  }

  /**
   * Where invalid spans are copied, with their reason in headers, and spans the store keeps refusing (see {@link
   * #deadLetterAfterRefusals()}); null for nowhere (they are counted, and a refused batch is read again).
   *
   * @return the dead-letter topic, or null (the default) for none
   */
  public @Nullable String deadLetterTopic() {
    return deadLetterTopic;
  }

  /**
   * Refusals in a row of one batch by the store (each read again after a back-off of 0.1 s doubling up to 10 s)
   * after which, with a {@link #deadLetterTopic()}, its spans are offered one at a time and those the store still
   * refuses are copied there with the store's error in the {@code refused_reason} header, so that one span the
   * store cannot take never stops its partition. A span the store refused for a reason of its own ({@link
   * io.segbuf.spi.StoreUnavailableException}) is never copied: the store is failing rather than the span, and it is
   * read again; when the store refuses every span of the batch and one of them so, nothing is copied.
   *
   * @return the refusals in a row, at least 1; default {@value #DEFAULT_DEAD_LETTER_AFTER_REFUSALS}
   */
  public int deadLetterAfterRefusals() {
    return deadLetterAfterRefusals;
  }

  /** {@return the wall clock, read for a partition once it is caught up; default {@link Clock#systemUTC()}} */
  public Clock clock() {
    return clock;
  }

  /**
   * Where a partition without a committed offset starts: at the beginning (the default, {@code auto.offset.reset}
   * {@code earliest}) or at the end ({@code latest}).
   *
   * @return true to start at the beginning, false to start at the end
   */
  public boolean startAtEarliest() {
    return !LATEST.equals(consumerProperties.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
  }

  /**
   * The consumer configuration: the extra properties, then what the loop relies on. Kafka's own offset reset is
   * off ({@code none}): the loop starts new partitions per {@link #startAtEarliest()} itself, and counts and logs
   * records that Kafka deleted before they were read instead of skipping them silently.
   *
   * @return a new, modifiable map to give to a {@code KafkaConsumer}
   */
  public Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>(consumerProperties);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return config;
  }

  @Override
  public String toString() {
    return "SpanConsumerOptions{bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", groupId=" + groupId
        + ", pollTimeout=" + pollTimeout + ", pauseAboveMemoryFraction=" + pauseAboveMemoryFraction
        + ", pauseAboveBufferedBytes=" + pauseAboveBufferedBytes + ", laggingFlushCycles=" + laggingFlushCycles
        + ", drainOnRevoke=" + drainOnRevoke + ", flushThreads=" + flushThreads + ", deadLetterTopic=" + deadLetterTopic
        + ", deadLetterAfterRefusals=" + deadLetterAfterRefusals + "}";
  }

  /** Builds {@link SpanConsumerOptions}; setters have no {@code set} prefix, {@link #build()} checks everything. */
  public static final class Builder {
    private String bootstrapServers = "";
    private String topic = DEFAULT_TOPIC;
    private String groupId = "";
    private final Map<String, String> consumerProperties = new LinkedHashMap<>();
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private double pauseAboveMemoryFraction = DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION;
    private long pauseAboveBufferedBytes = NO_BYTE_LIMIT;
    private int laggingFlushCycles = DEFAULT_LAGGING_FLUSH_CYCLES;
    private boolean drainOnRevoke = true;
    private int flushThreads = DEFAULT_FLUSH_THREADS;
    private @Nullable String deadLetterTopic;
    private int deadLetterAfterRefusals = DEFAULT_DEAD_LETTER_AFTER_REFUSALS;
    private Clock clock = Clock.systemUTC();

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
     * Sets the topic spans are read from.
     *
     * @param topic a legal Kafka topic name; default {@value #DEFAULT_TOPIC}
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Sets the consumer group (required).
     *
     * @param groupId not blank
     * @return this builder
     */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Adds one extra consumer property (for example {@code max.poll.records}), replacing an earlier value. The
     * properties the consumer sets itself ({@code bootstrap.servers}, {@code group.id}, {@code enable.auto.commit},
     * the deserializers) are refused; {@code auto.offset.reset} may be {@code earliest} (the default) or {@code
     * latest}.
     *
     * @param name a Kafka consumer property
     * @param value its value
     * @return this builder
     */
    public Builder consumerProperty(String name, String value) {
      consumerProperties.put(name, value);
      return this;
    }

    /**
     * Adds extra consumer properties, as {@link #consumerProperty} does for each.
     *
     * @param properties Kafka consumer properties and their values
     * @return this builder
     */
    public Builder consumerProperties(Map<String, String> properties) {
      consumerProperties.putAll(properties);
      return this;
    }

    /**
     * Sets the longest one poll waits for records.
     *
     * @param pollTimeout positive; default {@link #DEFAULT_POLL_TIMEOUT} (100 ms)
     * @return this builder
     */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /**
     * Sets the store's memory fraction at which every owned partition is paused.
     *
     * @param fraction in (0, 1]; default {@value #DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION}
     * @return this builder
     */
    public Builder pauseAboveMemoryFraction(double fraction) {
      this.pauseAboveMemoryFraction = fraction;
      return this;
    }

    /**
     * Sets the buffered span bytes at which every owned partition is paused.
     *
     * @param bytes at least 0; default {@link #NO_BYTE_LIMIT}, none
     * @return this builder
     */
    public Builder pauseAboveBufferedBytes(long bytes) {
      this.pauseAboveBufferedBytes = bytes;
      return this;
    }

    /**
     * Sets the flush cycles in a row at a shard's {@code maxFlushSegments} (or with send failures) that pause
     * its partition.
     *
     * @param cycles at least 1; default {@value #DEFAULT_LAGGING_FLUSH_CYCLES}
     * @return this builder
     */
    public Builder laggingFlushCycles(int cycles) {
      this.laggingFlushCycles = cycles;
      return this;
    }

    /**
     * Sets whether a revoked partition's segments are flushed at once ({@link SpanConsumerOptions#drainOnRevoke()}).
     *
     * @param drainOnRevoke true (the default) for a store local to this process, false for a shared one
     * @return this builder
     */
    public Builder drainOnRevoke(boolean drainOnRevoke) {
      this.drainOnRevoke = drainOnRevoke;
      return this;
    }

    /**
     * Sets the threads that flush the owned partitions ({@link SpanConsumerOptions#flushThreads()}).
     *
     * @param threads at least 0, where 0 flushes on the polling thread; default {@value #DEFAULT_FLUSH_THREADS}
     * @return this builder
     */
    public Builder flushThreads(int threads) {
      this.flushThreads = threads;
      return this;
    }

    /**
     * Sets where invalid spans and spans the store keeps refusing are copied.
     *
     * @param topic a legal Kafka topic name, or null (the default) for none
     * @return this builder
     */
    public Builder deadLetterTopic(@Nullable String topic) {
      this.deadLetterTopic = topic;
      return this;
    }

    /**
     * Sets the refusals in a row of one batch by the store after which its spans are dead-lettered one at a
     * time ({@link SpanConsumerOptions#deadLetterAfterRefusals()}).
     *
     * @param refusals at least 1; default {@value #DEFAULT_DEAD_LETTER_AFTER_REFUSALS}
     * @return this builder
     */
    public Builder deadLetterAfterRefusals(int refusals) {
      this.deadLetterAfterRefusals = refusals;
      return this;
    }

    /**
     * Sets the wall clock, read for a partition once it is caught up; tests give their own.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Checks every rule.
     *
     * @return the options
     * @throws ConfigException listing every problem
     */
    public SpanConsumerOptions build() {
      List<ConfigProblem> problems = new ArrayList<>();
      ClientChecks.bootstrapServers(bootstrapServers, problems);
      ClientChecks.topic("topic", topic, problems);
      if (groupId.isBlank()) {
        problems.add(new ConfigProblem("groupId", "not be blank", "'" + groupId + "'"));
      }
      if (pollTimeout.isNegative() || pollTimeout.isZero()) {
        problems.add(new ConfigProblem("pollTimeout", "be > 0", pollTimeout));
      }
      if (!(pauseAboveMemoryFraction > 0 && pauseAboveMemoryFraction <= 1)) {
        problems.add(new ConfigProblem("pauseAboveMemoryFraction", "be in (0, 1]", pauseAboveMemoryFraction));
      }
      if (pauseAboveBufferedBytes < 0) {
        problems.add(new ConfigProblem("pauseAboveBufferedBytes", "be >= 0", pauseAboveBufferedBytes));
      }
      if (flushThreads < 0) {
        problems.add(new ConfigProblem("flushThreads", "be >= 0", flushThreads));
      }
      if (laggingFlushCycles < 1) {
        problems.add(new ConfigProblem("laggingFlushCycles", "be >= 1", laggingFlushCycles));
      }
      if (deadLetterAfterRefusals < 1) {
        problems.add(new ConfigProblem("deadLetterAfterRefusals", "be >= 1", deadLetterAfterRefusals));
      }
      if (deadLetterTopic != null) {
        ClientChecks.topic("deadLetterTopic", deadLetterTopic, problems);
      }
      String reset = consumerProperties.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
      if (reset != null && !reset.equals(EARLIEST) && !reset.equals(LATEST)) {
        problems.add(new ConfigProblem("consumerProperties " + ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "be " + EARLIEST + " or " + LATEST, reset));
      }
      ClientChecks.notSet("consumerProperties", consumerProperties, List.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG), problems);
      ConfigException.throwIfAny(problems);
      return new SpanConsumerOptions(this);
    }
  }
}
