package io.segbuf.redis;

import io.segbuf.redis.internal.ChangelogRedis;
import io.segbuf.redis.internal.Futures;
import io.segbuf.redis.internal.RedisAccess;
import io.segbuf.redis.internal.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A real Redis, over Lettuce, that once armed sends the next {@code RPUSHX} or script twice and gives the caller the
 * second answer: what Lettuce does when a connection drops after Redis applied a command and before its answer came
 * (at-least-once, its default reliability: the commands sent and not answered are sent again on the next connection).
 */
final class ResendingRedis implements ChangelogRedis {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final RedisAccess redis;
  private final AtomicBoolean rpushxArmed = new AtomicBoolean();
  private final AtomicBoolean scriptArmed = new AtomicBoolean();

  ResendingRedis(String uri) {
    redis = new RedisAccess(List.of(uri), false, TIMEOUT);
  }

  /** The next {@code RPUSHX} is applied twice; its caller sees the second answer. */
  void resendNextRpushx() {
    rpushxArmed.set(true);
  }

  /** The next script run or sent is applied twice; its caller sees the second answer. */
  void resendNextScript() {
    scriptArmed.set(true);
  }

  @Override
  public CompletionStage<byte @Nullable []> get(byte[] key) {
    return redis.get(key);
  }

  @Override
  public CompletionStage<List<byte[]>> time() {
    return redis.time();
  }

  @Override
  public CompletionStage<Long> rpushx(byte[] key, byte[] value) {
    if (rpushxArmed.compareAndSet(true, false)) {
      Futures.await(redis.rpushx(key, value), TIMEOUT, "RPUSHX whose answer is lost");
    }
    return redis.rpushx(key, value);
  }

  @Override
  public CompletionStage<Long> llen(byte[] key) {
    return redis.llen(key);
  }

  @Override
  public CompletionStage<String> ltrim(byte[] key, long start, long stop) {
    return redis.ltrim(key, start, stop);
  }

  @Override
  public CompletionStage<List<byte[]>> lrange(byte[] key, long start, long stop) {
    return redis.lrange(key, start, stop);
  }

  @Override
  public long run(Script script, byte[][] keys, byte[]... args) {
    if (scriptArmed.compareAndSet(true, false)) {
      redis.run(script, keys, args);
    }
    return redis.run(script, keys, args);
  }

  @Override
  public CompletionStage<Long> send(Script script, byte[][] keys, byte[]... args) {
    if (scriptArmed.compareAndSet(true, false)) {
      CompletableFuture<Long> lost = redis.send(script, keys, args).toCompletableFuture();
      return lost.thenCompose(answer -> redis.send(script, keys, args));
    }
    return redis.send(script, keys, args);
  }

  @Override
  public List<String> infoOfMasters(String section) {
    return redis.infoOfMasters(section);
  }

  @Override
  public void close() {
    redis.close();
  }
}
