package io.segbuf.redis.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The few Redis commands a shard's changelog needs, and nothing else: {@link RedisAccess} sends them with Lettuce; a
 * simulated Redis in the tests answers them from memory, so that the store's own logic runs in a deterministic
 * simulation. Commands that return a stage are pipelined (sent at once, awaited later); the others wait.
 */
public interface ChangelogRedis extends AutoCloseable {
  CompletionStage<byte @Nullable []> get(byte[] key);

  /** {@code TIME}: seconds and microseconds, as ASCII. */
  CompletionStage<List<byte[]>> time();

  /** {@code RPUSHX}: appends the value only to a list that exists; answers its new length, or 0. */
  CompletionStage<Long> rpushx(byte[] key, byte[] value);

  CompletionStage<Long> llen(byte[] key);

  /** {@code LTRIM}: keeps the elements from {@code start} to {@code stop}; a list that does not exist stays so. */
  CompletionStage<String> ltrim(byte[] key, long start, long stop);

  CompletionStage<List<byte[]>> lrange(byte[] key, long start, long stop);

  /** Runs one of the store's scripts; its reply is an integer. */
  long run(Script script, byte[][] keys, byte[]... args);

  /** Sends a script with its body ({@code EVAL}) without waiting; its reply is an integer. */
  CompletionStage<Long> send(Script script, byte[][] keys, byte[]... args);

  /** Runs {@code INFO section} on every master (the one server when standalone). */
  List<String> infoOfMasters(String section);

  @Override
  void close();
}
