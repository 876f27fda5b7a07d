package io.segbuf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of a {@link SpanBuffer}, with Sentry's defaults (docs/design.md §8). Built with
 * {@link #builder()}; {@link Builder#build()} checks every rule and reports all problems in one {@link
 * ConfigException}, never clamping a value.
 */
public final class SpanBufferConfig {
  /** The smallest message budget: room for the envelope and a small span. */
  public static final int MIN_MESSAGE_BYTES = 256;
  /** Sentry's: segments flushed per shard and flush call. */
  public static final int DEFAULT_MAX_FLUSH_SEGMENTS = 500;
  /** Sentry-compatible: chunks in flush order. */
  public static final ChunkingStrategy DEFAULT_CHUNKING = ChunkingStrategy.GREEDY;
  /** Off: the buffer is not flushed early for its size. */
  public static final long NO_BUFFER_LIMIT = 0;
  /** How long a flush waits for the sink by default. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

  private final FlushPolicy flushPolicy;
  private final int maxMessageBytes;
  private final ChunkingStrategy chunking;
  private final int maxFlushSegments;
  private final long maxBufferedBytes;
  private final Duration sendTimeout;
  private final @Nullable Integer explicitMaxMessageBytes;

  private SpanBufferConfig(Builder b, FlushPolicy flushPolicy) {
    this.flushPolicy = flushPolicy;
    this.explicitMaxMessageBytes = b.maxMessageBytes;
    this.maxMessageBytes =
        b.maxMessageBytes != null ? b.maxMessageBytes : (int) Math.min(b.maxSegmentBytes, Integer.MAX_VALUE - 64);
    this.chunking = b.chunking;
    this.maxFlushSegments = b.maxFlushSegments;
    this.maxBufferedBytes = b.maxBufferedBytes;
    this.sendTimeout = b.sendTimeout;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the defaults of docs/design.md §8} */
  public static SpanBufferConfig defaults() {
    return builder().build();
  }

  /** {@return a builder holding this configuration, to change some of it} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.timeout = flushPolicy.timeout();
    b.rootTimeout = flushPolicy.rootTimeout();
    b.maxLifetime = flushPolicy.maxLifetime();
    b.maxSegmentBytes = flushPolicy.maxSegmentBytes();
    b.maxMessageBytes = explicitMaxMessageBytes;
    b.chunking = chunking;
    b.maxFlushSegments = maxFlushSegments;
    b.maxBufferedBytes = maxBufferedBytes;
    b.sendTimeout = sendTimeout;
    return b;
  }

  /** {@return when segments are due} */
  public FlushPolicy flushPolicy() {
    return flushPolicy;
  }

  /** {@return the most bytes one message may have, envelope included; defaults to {@code maxSegmentBytes}} */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** {@return how a segment that does not fit one message is split} */
  public ChunkingStrategy chunking() {
    return chunking;
  }

  /** {@return the most segments one {@link SpanBuffer#flush} call flushes per shard} */
  public int maxFlushSegments() {
    return maxFlushSegments;
  }

  /**
   * {@return buffered bytes above which the oldest segments are flushed early, or {@link #NO_BUFFER_LIMIT}}
   * Nothing is dropped.
   */
  public long maxBufferedBytes() {
    return maxBufferedBytes;
  }

  /** {@return how long a flush waits for the sink's acknowledgements before it leaves the segment for a retry} */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  @Override
  public String toString() {
    return "SpanBufferConfig{" + flushPolicy + ", maxMessageBytes=" + maxMessageBytes + ", chunking=" + chunking
        + ", maxFlushSegments=" + maxFlushSegments + ", maxBufferedBytes=" + maxBufferedBytes
        + ", sendTimeout=" + sendTimeout + "}";
  }

  /** Builds a {@link SpanBufferConfig}. Setters have no {@code set} prefix; every value is checked in build. */
  public static final class Builder {
    private Duration timeout = FlushPolicy.DEFAULT_TIMEOUT;
    private Duration rootTimeout = FlushPolicy.DEFAULT_ROOT_TIMEOUT;
    private @Nullable Duration maxLifetime;
    private long maxSegmentBytes = FlushPolicy.DEFAULT_MAX_SEGMENT_BYTES;
    private @Nullable Integer maxMessageBytes;
    private ChunkingStrategy chunking = DEFAULT_CHUNKING;
    private int maxFlushSegments = DEFAULT_MAX_FLUSH_SEGMENTS;
    private long maxBufferedBytes = NO_BUFFER_LIMIT;
    private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;

    private Builder() {}

    /**
     * Sets the inactivity timeout while the root is missing ({@link FlushPolicy#timeout()}).
     *
     * @param timeout positive; default {@link FlushPolicy#DEFAULT_TIMEOUT}
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the inactivity timeout once the root has arrived ({@link FlushPolicy#rootTimeout()}).
     *
     * @param rootTimeout positive; default {@link FlushPolicy#DEFAULT_ROOT_TIMEOUT}
     * @return this builder
     */
    public Builder rootTimeout(Duration rootTimeout) {
      this.rootTimeout = rootTimeout;
      return this;
    }

    /**
     * Sets a hard limit from a segment's first insert ({@link FlushPolicy#maxLifetime()}).
     *
     * @param maxLifetime positive, or null (the default) for none
     * @return this builder
     */
    public Builder maxLifetime(@Nullable Duration maxLifetime) {
      this.maxLifetime = maxLifetime;
      return this;
    }

    /**
     * Sets the buffered bytes at which a segment is due at once ({@link FlushPolicy#maxSegmentBytes()}).
     *
     * @param maxSegmentBytes at least 1; default {@link FlushPolicy#DEFAULT_MAX_SEGMENT_BYTES}
     * @return this builder
     */
    public Builder maxSegmentBytes(long maxSegmentBytes) {
      this.maxSegmentBytes = maxSegmentBytes;
      return this;
    }

    /**
     * Sets the message budget ({@link SpanBufferConfig#maxMessageBytes()}).
     *
     * @param maxMessageBytes at least {@link #MIN_MESSAGE_BYTES}, or null (the default) to follow
     *     {@code maxSegmentBytes}
     * @return this builder
     */
    public Builder maxMessageBytes(@Nullable Integer maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * Sets how a segment that does not fit one message is split.
     *
     * @param chunking default {@link #DEFAULT_CHUNKING}
     * @return this builder
     */
    public Builder chunking(ChunkingStrategy chunking) {
      this.chunking = chunking;
      return this;
    }

    /**
     * Sets the most segments one {@link SpanBuffer#flush} call flushes per shard.
     *
     * @param maxFlushSegments at least 1; default {@link #DEFAULT_MAX_FLUSH_SEGMENTS}
     * @return this builder
     */
    public Builder maxFlushSegments(int maxFlushSegments) {
      this.maxFlushSegments = maxFlushSegments;
      return this;
    }

    /**
     * Sets the buffered bytes above which the oldest segments are flushed early.
     *
     * @param maxBufferedBytes at least 0; default {@link #NO_BUFFER_LIMIT}
     * @return this builder
     */
    public Builder maxBufferedBytes(long maxBufferedBytes) {
      this.maxBufferedBytes = maxBufferedBytes;
      return this;
    }

    /**
     * Sets how long a flush waits for the sink's acknowledgements.
     *
     * @param sendTimeout positive; default {@link #DEFAULT_SEND_TIMEOUT}
     * @return this builder
     */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
      return this;
    }

    /**
     * Checks every rule.
     *
     * @return the configuration
     * @throws ConfigException listing every problem
     */
    public SpanBufferConfig build() {
      List<ConfigProblem> problems = new ArrayList<>();
      FlushPolicy policy = null;
      try {
        policy = new FlushPolicy(timeout, rootTimeout, maxLifetime, maxSegmentBytes);
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
      if (maxMessageBytes != null && maxMessageBytes < MIN_MESSAGE_BYTES) {
        problems.add(new ConfigProblem("maxMessageBytes", "be >= " + MIN_MESSAGE_BYTES, maxMessageBytes));
      }
      if (maxMessageBytes == null && maxSegmentBytes >= 1 && maxSegmentBytes < MIN_MESSAGE_BYTES) {
        problems.add(new ConfigProblem("maxSegmentBytes",
            "be >= " + MIN_MESSAGE_BYTES + " (the message budget while {maxMessageBytes} is unset)", maxSegmentBytes));
      }
      if (maxFlushSegments < 1) {
        problems.add(new ConfigProblem("maxFlushSegments", "be >= 1", maxFlushSegments));
      }
      if (maxBufferedBytes < 0) {
        problems.add(new ConfigProblem("maxBufferedBytes", "be >= 0", maxBufferedBytes));
      }
      if (sendTimeout.isNegative() || sendTimeout.isZero()) {
        problems.add(new ConfigProblem("sendTimeout", "be > 0", sendTimeout));
      }
      ConfigException.throwIfAny(problems);
      return new SpanBufferConfig(this, java.util.Objects.requireNonNull(policy));
    }
  }
}
