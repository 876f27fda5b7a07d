package io.segbuf.redis;

import io.segbuf.ConfigException;
import io.lettuce.core.RedisURI;
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
  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_PIPELINE_SIZE = 1_000;
  public static final String DEFAULT_KEY_PREFIX = "segbuf";
  public static final Duration DEFAULT_KEY_TTL = Duration.ofHours(1);
  public static final Duration DEFAULT_FLUSHED_TRACE_RETENTION = Duration.ofMinutes(10);
  public static final int DEFAULT_COMPRESSION_MIN_BYTES = 512;
  public static final int DEFAULT_MAX_UNCOMPRESSED_SPAN_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_COMPRESSION_LEVEL = 3;
  /** 256 MiB, or a quarter of the JVM's maximum heap when that is less. */
  public static final long DEFAULT_REPLICA_BYTES = Math.min(256L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private final List<String> uris;
  private final boolean cluster;
  private final Duration commandTimeout;
  private final int pipelineSize;
  private final String keyPrefix;
  private final Duration keyTtl;
  private final Duration flushedTraceRetention;
  private final boolean compression;
  private final int compressionLevel;
  private final int compressionMinBytes;
  private final int maxUncompressedSpanBytes;
  private final long replicaBytes;

  private RedisStoreOptions(Builder b) {
    this.uris = List.copyOf(b.uris);
    this.cluster = b.cluster;
    this.commandTimeout = b.commandTimeout;
    this.pipelineSize = b.pipelineSize;
    this.keyPrefix = b.keyPrefix;
    this.keyTtl = b.keyTtl;
    this.flushedTraceRetention = b.flushedTraceRetention;
    this.compression = b.compression;
    this.compressionLevel = b.compressionLevel;
    this.compressionMinBytes = b.compressionMinBytes;
    this.maxUncompressedSpanBytes = b.maxUncompressedSpanBytes;
    this.replicaBytes = b.replicaBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.uris = new ArrayList<>(uris);
    b.cluster = cluster;
    b.commandTimeout = commandTimeout;
    b.pipelineSize = pipelineSize;
    b.keyPrefix = keyPrefix;
    b.keyTtl = keyTtl;
    b.flushedTraceRetention = flushedTraceRetention;
    b.compression = compression;
    b.compressionLevel = compressionLevel;
    b.compressionMinBytes = compressionMinBytes;
    b.maxUncompressedSpanBytes = maxUncompressedSpanBytes;
    b.replicaBytes = replicaBytes;
    return b;
  }

  /** Server URIs ({@code redis://} or {@code rediss://}, with credentials when needed); seeds of a cluster. */
  public List<String> uris() {
    return uris;
  }

  /** Whether the URIs name a Redis Cluster. */
  public boolean cluster() {
    return cluster;
  }

  /** How long one command may take before the store call fails. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** At most this many commands in flight before the store awaits their replies. */
  public int pipelineSize() {
    return pipelineSize;
  }

  /** Prefix of every key the store writes; stores with different prefixes share a server without mixing. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** Expiry of every key, refreshed on each write: a last safety net against leaks, not a flush rule. */
  public Duration keyTtl() {
    return keyTtl;
  }

  /**
   * How long a trace with nothing buffered is remembered (its span ids, without payload), so that late spans
   * join a continuation of their segment and redelivered copies are recognised.
   */
  public Duration flushedTraceRetention() {
    return flushedTraceRetention;
  }

  /** Whether span payloads of at least {@link #compressionMinBytes()} are stored zstd-compressed. */
  public boolean compression() {
    return compression;
  }

  public int compressionLevel() {
    return compressionLevel;
  }

  public int compressionMinBytes() {
    return compressionMinBytes;
  }

  /** A stored span that would decompress to more than this many bytes is refused as corrupt. */
  public int maxUncompressedSpanBytes() {
    return maxUncompressedSpanBytes;
  }

  /**
   * About how many span bytes this process keeps of the traces it works on, beyond the ones in use: a trace that
   * is dropped is read back from Redis when it is next needed.
   */
  public long replicaBytes() {
    return replicaBytes;
  }

  @Override
  public String toString() {
    List<String> safe = new ArrayList<>();
    for (String uri : uris) {
      safe.add(masked(uri));
    }
    return "RedisStoreOptions{uris=" + safe + ", cluster=" + cluster + ", commandTimeout=" + commandTimeout
        + ", pipelineSize=" + pipelineSize + ", keyPrefix=" + keyPrefix + ", keyTtl=" + keyTtl
        + ", flushedTraceRetention=" + flushedTraceRetention + ", compression=" + compression + ", replicaBytes="
        + replicaBytes + "}";
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
    private int pipelineSize = DEFAULT_PIPELINE_SIZE;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration keyTtl = DEFAULT_KEY_TTL;
    private Duration flushedTraceRetention = DEFAULT_FLUSHED_TRACE_RETENTION;
    private boolean compression;
    private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
    private int compressionMinBytes = DEFAULT_COMPRESSION_MIN_BYTES;
    private int maxUncompressedSpanBytes = DEFAULT_MAX_UNCOMPRESSED_SPAN_BYTES;
    private long replicaBytes = DEFAULT_REPLICA_BYTES;

    private Builder() {}

    /** One server (or cluster seed) URI. */
    public Builder uri(String uri) {
      this.uris = new ArrayList<>(List.of(uri));
      return this;
    }

    /** Several URIs: cluster seed nodes. */
    public Builder uris(List<String> uris) {
      this.uris = new ArrayList<>(uris);
      return this;
    }

    /** A plain {@code redis://host:port} URI. */
    public Builder hostAndPort(String host, int port) {
      return uri("redis://" + host + ":" + port);
    }

    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
      return this;
    }

    public Builder pipelineSize(int pipelineSize) {
      this.pipelineSize = pipelineSize;
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    public Builder keyTtl(Duration keyTtl) {
      this.keyTtl = keyTtl;
      return this;
    }

    public Builder flushedTraceRetention(Duration flushedTraceRetention) {
      this.flushedTraceRetention = flushedTraceRetention;
      return this;
    }

    public Builder compression(boolean compression) {
      this.compression = compression;
      return this;
    }

    public Builder compressionLevel(int compressionLevel) {
      this.compressionLevel = compressionLevel;
      return this;
    }

    public Builder compressionMinBytes(int compressionMinBytes) {
      this.compressionMinBytes = compressionMinBytes;
      return this;
    }

    public Builder maxUncompressedSpanBytes(int maxUncompressedSpanBytes) {
      this.maxUncompressedSpanBytes = maxUncompressedSpanBytes;
      return this;
    }

    public Builder replicaBytes(long replicaBytes) {
      this.replicaBytes = replicaBytes;
      return this;
    }

    /** Checks every rule and reports all problems at once. */
    public RedisStoreOptions build() {
      List<String> problems = new ArrayList<>();
      if (uris.isEmpty()) {
        problems.add("uris must not be empty but was []");
      }
      for (String uri : uris) {
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
          problems.add("uri must start with redis:// or rediss:// but was " + masked(uri));
          continue;
        }
        try {
          RedisURI.create(uri);
        } catch (RuntimeException e) {
          problems.add("uri must be a valid Redis URI but was " + masked(uri));
        }
      }
      if (!cluster && uris.size() > 1) {
        problems.add("uris must hold one URI unless cluster=true but was " + uris.size() + " URIs");
      }
      positive("commandTimeout", commandTimeout, problems);
      if (pipelineSize < 1 || pipelineSize > 100_000) {
        problems.add("pipelineSize must be in [1, 100000] but was " + pipelineSize);
      }
      if (!PREFIX.matcher(keyPrefix).matches()) {
        problems.add("keyPrefix must be 1 to 64 of [A-Za-z0-9_.:-] but was \"" + keyPrefix + "\"");
      }
      if (keyTtl.compareTo(Duration.ofSeconds(1)) < 0) {
        problems.add("keyTtl must be >= 1s but was " + keyTtl);
      }
      if (flushedTraceRetention.compareTo(Duration.ofSeconds(1)) < 0) {
        problems.add("flushedTraceRetention must be >= 1s but was " + flushedTraceRetention);
      }
      if (compressionLevel < 1 || compressionLevel > 19) {
        problems.add("compressionLevel must be in [1, 19] but was " + compressionLevel);
      }
      if (compressionMinBytes < 0) {
        problems.add("compressionMinBytes must be >= 0 but was " + compressionMinBytes);
      }
      if (maxUncompressedSpanBytes < 1024) {
        problems.add("maxUncompressedSpanBytes must be >= 1024 but was " + maxUncompressedSpanBytes);
      }
      if (replicaBytes < 0) {
        problems.add("replicaBytes must be >= 0 but was " + replicaBytes);
      }
      ConfigException.throwIfAny(problems);
      return new RedisStoreOptions(this);
    }

    private static void positive(String name, Duration value, List<String> problems) {
      if (value.isNegative() || value.isZero()) {
        problems.add(name + " must be > 0 but was " + value);
      }
    }
  }
}
