package io.segbuf.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** One Lettuce connection, standalone or cluster, with byte-array keys and values. Thread-safe. */
public final class RedisAccess implements ChangelogRedis {
  private final Duration timeout;
  private final RedisClient client;
  private final RedisClusterClient clusterClient;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final StatefulRedisClusterConnection<byte[], byte[]> clusterConnection;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;

  @SuppressWarnings("NullAway") // exactly one of the standalone and cluster fields is set
  public RedisAccess(List<String> uris, boolean cluster, Duration timeout) {
    this.timeout = timeout;
    List<RedisURI> parsed = new ArrayList<>();
    for (String uri : uris) {
      RedisURI u = RedisURI.create(uri);
      u.setTimeout(timeout);
      parsed.add(u);
    }
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    if (cluster) {
      clusterClient = RedisClusterClient.create(parsed);
      clusterClient.setOptions(ClusterClientOptions.builder().timeoutOptions(timeouts).build());
      clusterConnection = clusterClient.connect(ByteArrayCodec.INSTANCE);
      async = clusterConnection.async();
      client = null;
      connection = null;
    } else {
      client = RedisClient.create(parsed.get(0));
      client.setOptions(ClientOptions.builder().timeoutOptions(timeouts).build());
      connection = client.connect(ByteArrayCodec.INSTANCE);
      async = connection.async();
      clusterClient = null;
      clusterConnection = null;
    }
  }

  @Override
  public CompletionStage<byte @Nullable []> get(byte[] key) {
    return async.get(key);
  }

  @Override
  public CompletionStage<List<byte[]>> time() {
    return async.time();
  }

  @Override
  public CompletionStage<Long> rpushx(byte[] key, byte[] value) {
    return async.rpushx(key, value);
  }

  @Override
  public CompletionStage<Long> llen(byte[] key) {
    return async.llen(key);
  }

  @Override
  public CompletionStage<String> ltrim(byte[] key, long start, long stop) {
    return async.ltrim(key, start, stop);
  }

  @Override
  public CompletionStage<List<byte[]>> lrange(byte[] key, long start, long stop) {
    return async.lrange(key, start, stop);
  }

  @Override
  public long run(Script script, byte[][] keys, byte[]... args) {
    return script.run(async, timeout, keys, args);
  }

  @Override
  public CompletionStage<Long> send(Script script, byte[][] keys, byte[]... args) {
    return script.send(async, keys, args);
  }

  public Duration timeout() {
    return timeout;
  }

  public boolean isCluster() {
    return clusterConnection != null;
  }

  @Override
  public List<String> infoOfMasters(String section) {
    List<String> out = new ArrayList<>();
    StatefulRedisClusterConnection<byte[], byte[]> cc = clusterConnection;
    try {
      if (cc == null) {
        out.add(async.info(section).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      } else {
        for (RedisClusterNode node : cc.getPartitions()) {
          if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
            out.add(cc.getConnection(node.getNodeId()).sync().info(section));
          }
        }
      }
    } catch (Exception e) {
      throw Futures.failure("INFO " + section, e);
    }
    return out;
  }

  /** Loads a script on every master (the cluster API sends SCRIPT LOAD to all of them). */
  public String scriptLoad(byte[] script) {
    try {
      return async.scriptLoad(script).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw Futures.failure("SCRIPT LOAD", e);
    }
  }

  @Override
  public void close() {
    if (clusterConnection != null) {
      clusterConnection.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (clusterClient != null) {
      clusterClient.shutdown();
    }
    if (client != null) {
      client.shutdown();
    }
  }
}
