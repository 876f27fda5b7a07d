package io.segbuf.redis.internal;

import java.nio.charset.StandardCharsets;

/**
 * The keys of one shard, all in the hash slot {@code {<prefix>:<shard>}} so that a script may touch them together
 * and Redis Cluster spreads shards over its masters: {@code {<prefix>:<shard>}:epoch}, the counter bumped at each
 * takeover, and {@code {<prefix>:<shard>}:log:<epoch>}, the changelog that the owner of that epoch appends to.
 */
public final class ShardKeys {
  private final String prefix;

  public ShardKeys(String prefix) {
    this.prefix = prefix;
  }

  public byte[] epoch(int shard) {
    return bytes(slot(shard) + ":epoch");
  }

  /** The changelog key without its epoch, to which the takeover script appends the epoch. */
  public byte[] logWithoutEpoch(int shard) {
    return bytes(slot(shard) + ":log:");
  }

  public byte[] log(int shard, long epoch) {
    return bytes(slot(shard) + ":log:" + epoch);
  }

  private String slot(int shard) {
    return "{" + prefix + ":" + shard + "}";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
