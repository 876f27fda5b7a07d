package io.segbuf.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The store's Lua scripts: loaded once with SCRIPT LOAD, called with EVALSHA, loaded again when a server answers
 * NOSCRIPT (a restarted or failed-over server, or SCRIPT FLUSH). Thread-safe.
 */
public final class Scripts {
  /** One script, by name under {@code io/segbuf/redis/}, with the flags its first line declares (if any). */
  public enum Name {
    /** Queue and usage bookkeeping: runs even when Redis is at maxmemory (Redis 7 script flags). */
    QUEUE("queue.lua", "#!lua flags=allow-oom\n"),
    /** A seal or completion appended to a trace log, also when Redis is at maxmemory. */
    APPEND("append.lua", "#!lua flags=allow-oom\n");

    final String file;
    final String shebang;

    Name(String file, String shebang) {
      this.file = file;
      this.shebang = shebang;
    }
  }

  private final RedisAccess redis;
  private final byte[][] bodies = new byte[Name.values().length][];
  private final String[] shas = new String[Name.values().length];

  public Scripts(RedisAccess redis) {
    this.redis = redis;
    for (Name name : Name.values()) {
      bodies[name.ordinal()] =
          (name.shebang + resource(name.file)).getBytes(StandardCharsets.UTF_8);
      shas[name.ordinal()] = redis.scriptLoad(bodies[name.ordinal()]);
    }
  }

  /**
   * Calls a script and returns its reply; on NOSCRIPT loads it and calls it again (a script that was not found
   * did not run, so calling again is safe).
   */
  public CompletionStage<List<Object>> call(Name name, byte[][] keys, byte[]... args) {
    RedisClusterAsyncCommands<byte[], byte[]> async = redis.async();
    CompletionStage<List<Object>> first = async.evalsha(shas[name.ordinal()], ScriptOutputType.MULTI, keys, args);
    return first.handle((reply, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(reply);
      }
      if (Futures.cause(error) instanceof RedisNoScriptException) {
        CompletionStage<List<Object>> again = async.scriptLoad(bodies[name.ordinal()]).thenCompose(sha -> {
          shas[name.ordinal()] = sha;
          CompletionStage<List<Object>> retried = async.evalsha(sha, ScriptOutputType.MULTI, keys, args);
          return retried;
        });
        return again;
      }
      return CompletableFuture.<List<Object>>failedFuture(error);
    }).thenCompose(s -> s);
  }

  private static String resource(String file) {
    try (InputStream in = Scripts.class.getResourceAsStream("/io/segbuf/redis/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource io/segbuf/redis/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
