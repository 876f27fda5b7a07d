package io.segbuf.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A Lua script shipped next to these classes, run by its SHA-1 ({@code EVALSHA}) and loaded on the node that answers
 * {@code NOSCRIPT} (a restarted or new master). Thread-safe.
 */
public final class Script {
  private static final byte[] SHEBANG = "#!lua\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHEBANG_ALLOW_OOM = "#!lua flags=allow-oom\n".getBytes(StandardCharsets.US_ASCII);

  private final String name;
  private final byte[] body;
  private final String sha;

  Script(String name) {
    this(name, Resources.read(name));
  }

  private Script(String name, byte[] body) {
    this.name = name;
    this.body = body;
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-1", e);
    }
  }

  /**
   * The same script run also when Redis is out of memory (its first line, {@code #!lua}, given the {@code allow-oom}
   * flag): one script for the changes that must get in at the limit and the ones Redis must refuse there.
   */
  Script allowingOom() {
    if (!Arrays.equals(body, 0, SHEBANG.length, SHEBANG, 0, SHEBANG.length)) {
      throw new IllegalStateException("script " + name + " must start with a line #!lua to be given a flag");
    }
    byte[] flagged = Arrays.copyOf(SHEBANG_ALLOW_OOM, SHEBANG_ALLOW_OOM.length + body.length - SHEBANG.length);
    System.arraycopy(body, SHEBANG.length, flagged, SHEBANG_ALLOW_OOM.length, body.length - SHEBANG.length);
    return new Script(name, flagged);
  }

  /** The script's file name, which a simulated Redis goes by. */
  public String name() {
    return name;
  }

  /** Whether Redis runs the script when it is out of memory (its flags say {@code allow-oom}). */
  public boolean allowsOom() {
    int end = 0;
    while (end < body.length && body[end] != '\n') {
      end++;
    }
    String first = new String(body, 0, end, StandardCharsets.US_ASCII);
    return first.startsWith("#!lua") && first.contains("allow-oom");
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
