package io.segbuf.redis;

import io.lettuce.core.RedisURI;
import io.segbuf.ConfigException;
import io.segbuf.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Immutable options of a {@link RedisSegmentStore}. Build with {@link #builder()}; change a copy with {@link
 * #toBuilder()}. {@link Builder#build()} checks every rule and reports all problems in one {@link ConfigException}.
 * TLS ({@code rediss://}) and AUTH ({@code redis://user:password@host}) are given in the URIs.
 */
public final class RedisStoreOptions {
  /** A Redis on this machine's default port. */
  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";
  /** How long one command may take by default. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
  /** The default prefix of every key. */
  public static final String DEFAULT_KEY_PREFIX = "segbuf";
  /** Span ids of flushed traces remembered per shard by default. */
  public static final int DEFAULT_RECENTLY_FLUSHED_SPANS = 100_000;
  /** The least bytes a compaction must free, by default. */
  public static final long DEFAULT_COMPACTION_BYTES = 64L * 1024;

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private final List<String> uris;
  private final boolean cluster;
  private final Duration commandTimeout;
  private final String keyPrefix;
  private final int recentlyFlushedSpans;
  private final long compactionBytes;

  private RedisStoreOptions(Builder b) {
    this.uris = List.copyOf(b.uris);
    this.cluster = b.cluster;
    this.commandTimeout = b.commandTimeout;
    this.keyPrefix = b.keyPrefix;
    this.recentlyFlushedSpans = b.recentlyFlushedSpans;
    this.compactionBytes = b.compactionBytes;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options, to change some of them} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.uris = new ArrayList<>(uris);
    b.cluster = cluster;
    b.commandTimeout = commandTimeout;
    b.keyPrefix = keyPrefix;
    b.recentlyFlushedSpans = recentlyFlushedSpans;
    b.compactionBytes = compactionBytes;
    return b;
  }

  /**
   * {@return server URIs ({@code redis://} or {@code rediss://}, with credentials when needed)}; seeds of a
   * cluster.
   */
  public List<String> uris() {
    return uris;
  }

  /** {@return whether the URIs name a Redis Cluster} */
  public boolean cluster() {
    return cluster;
  }

  /** {@return how long one command may take before the store call fails} */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * {@return the prefix of every key the store writes}; stores with different prefixes share a server without
   * mixing.
   */
  public String keyPrefix() {
    return keyPrefix;
  }

  /**
   * Per shard, how many span ids of flushed traces are remembered (without payload), so that late spans join a
   * continuation of their segment and redelivered copies are recognised. Every owner of a shard must use the same
   * value: it is part of the state that a takeover rebuilds.
   *
   * @return how many span ids of flushed traces a shard remembers
   */
  public int recentlyFlushedSpans() {
    return recentlyFlushedSpans;
  }

  /**
   * A shard's changelog is compacted (a snapshot of what its shard holds replaces it) once that frees (the changelog's
   * bytes less the snapshot's) more than three times the snapshot, and more than this many bytes (at Redis's {@code
   * maxmemory}, a quarter of the snapshot and 1 KiB are enough).
   *
   * @return the least bytes a compaction must free
   */
  public long compactionBytes() {
    return compactionBytes;
  }

  @Override
  public String toString() {
    List<String> safe = new ArrayList<>();
    for (String uri : uris) {
      safe.add(masked(uri));
    }
    return "RedisStoreOptions{uris=" + safe + ", cluster=" + cluster + ", commandTimeout=" + commandTimeout
        + ", keyPrefix=" + keyPrefix + ", recentlyFlushedSpans=" + recentlyFlushedSpans + ", compactionBytes="
        + compactionBytes + "}";
  }

  /** The URI with its credentials replaced by {@code ***}. */
  static String masked(String uri) {
    return uri.replaceAll("//[^@/]*@", "//***@");
  }

  /** Builds {@link RedisStoreOptions}. Not thread-safe. */
  public static final class Builder {
    private List<String> uris = new ArrayList<>(List.of(DEFAULT_URI));
    private boolean cluster;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private int recentlyFlushedSpans = DEFAULT_RECENTLY_FLUSHED_SPANS;
    private long compactionBytes = DEFAULT_COMPACTION_BYTES;

    private Builder() {}

    /**
     * Sets one server (or cluster seed) URI.
     *
     * @param uri {@code redis://} or {@code rediss://}, with credentials when needed
     * @return this builder
     */
    public Builder uri(String uri) {
      this.uris = new ArrayList<>(List.of(uri));
      return this;
    }

    /**
     * Sets several URIs: cluster seed nodes.
     *
     * @param uris {@code redis://} or {@code rediss://} URIs, at least one
     * @return this builder
     */
    public Builder uris(List<String> uris) {
      this.uris = new ArrayList<>(uris);
      return this;
    }

    /**
     * Sets a plain {@code redis://host:port} URI.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @return this builder
     */
    public Builder hostAndPort(String host, int port) {
      return uri("redis://" + host + ":" + port);
    }

    /**
     * Sets whether the URIs name a Redis Cluster.
     *
     * @param cluster true for a cluster; default false
     * @return this builder
     */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Sets how long one command may take before the store call fails.
     *
     * @param commandTimeout positive; default {@link #DEFAULT_COMMAND_TIMEOUT}
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Sets the prefix of every key the store writes.
     *
     * @param keyPrefix 1 to 64 letters, digits or {@code _.:-}; default {@link #DEFAULT_KEY_PREFIX}
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * Sets how many span ids of flushed traces a shard remembers; every owner must use the same value.
     *
     * @param recentlyFlushedSpans at least 0; default {@link #DEFAULT_RECENTLY_FLUSHED_SPANS}
     * @return this builder
     */
    public Builder recentlyFlushedSpans(int recentlyFlushedSpans) {
      this.recentlyFlushedSpans = recentlyFlushedSpans;
      return this;
    }

    /**
     * Sets the least bytes a compaction must free ({@link RedisStoreOptions#compactionBytes()}).
     *
     * @param compactionBytes at least 1024; default {@link #DEFAULT_COMPACTION_BYTES}
     * @return this builder
     */
    public Builder compactionBytes(long compactionBytes) {
      this.compactionBytes = compactionBytes;
      return this;
    }

    /**
     * Checks every rule and reports all problems at once.
     *
     * @return the options
     * @throws ConfigException listing every problem
     */
    public RedisStoreOptions build() {
      List<ConfigProblem> problems = new ArrayList<>();
      if (uris.isEmpty()) {
        problems.add(new ConfigProblem("uris", "not be empty", "[]"));
      }
      for (String uri : uris) {
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
          problems.add(new ConfigProblem("uri", "start with redis:// or rediss://", masked(uri)));
          continue;
        }
        try {
          RedisURI.create(uri);
        } catch (RuntimeException e) {
          problems.add(new ConfigProblem("uri", "be a valid Redis URI", masked(uri)));
        }
      }
      if (!cluster && uris.size() > 1) {
        problems.add(new ConfigProblem("uris", "hold one URI unless cluster=true", uris.size() + " URIs"));
      }
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        problems.add(new ConfigProblem("commandTimeout", "be > 0", commandTimeout));
      }
      if (!PREFIX.matcher(keyPrefix).matches()) {
        problems.add(new ConfigProblem("keyPrefix", "be 1 to 64 of [A-Za-z0-9_.:-]", "\"" + keyPrefix + "\""));
      }
      if (recentlyFlushedSpans < 0) {
        problems.add(new ConfigProblem("recentlyFlushedSpans", "be >= 0", recentlyFlushedSpans));
      }
      if (compactionBytes < 1024) {
        problems.add(new ConfigProblem("compactionBytes", "be >= 1024", compactionBytes));
      }
      ConfigException.throwIfAny(problems);
      return new RedisStoreOptions(this);
    }
  }
}
