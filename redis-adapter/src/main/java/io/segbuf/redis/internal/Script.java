package io.segbuf.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A Lua script shipped next to these classes, run by its SHA-1 ({@code EVALSHA}) and loaded on the node that answers
 * {@code NOSCRIPT} (a restarted or new master). Thread-safe.
 */
public final class Script {
  private final String name;
  private final byte[] body;
  private final String sha;

  Script(String name) {
    this.name = name;
    this.body = Resources.read(name);
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-1", e);
    }
  }

  /** The script's file name, which a simulated Redis goes by. */
  public String name() {
    return name;
  }

  /** Sends the script with its body ({@code EVAL}), without waiting: its reply is an integer. */
  CompletableFuture<Long> send(RedisClusterAsyncCommands<byte[], byte[]> async, byte[][] keys, byte[]... args) {
    return async.<Long>eval(body, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
  }

  /** Runs the script; its reply is an integer. */
  long run(RedisClusterAsyncCommands<byte[], byte[]> async, Duration timeout, byte[][] keys, byte[]... args) {
    try {
      Long reply = Futures.await(async.evalsha(sha, ScriptOutputType.INTEGER, keys, args), timeout, name);
      return reply;
    } catch (RuntimeException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      // EVAL both runs the script and caches it on the node that holds the keys
      Long reply = Futures.await(async.eval(body, ScriptOutputType.INTEGER, keys, args), timeout, name);
      return reply;
    }
  }
}
