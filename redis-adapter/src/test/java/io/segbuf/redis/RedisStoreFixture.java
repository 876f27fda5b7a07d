package io.segbuf.redis;

import io.segbuf.FlushPolicy;
import java.time.Duration;
import java.time.Instant;

/** What the Redis store's integration tests share: one flush policy, the instants they run at, their stores. */
final class RedisStoreFixture {
  /** Sentry's timeouts (60 s idle, 10 s once the root is in), no lifetime limit, segments due at 1 MiB. */
  static final FlushPolicy POLICY = new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1024 * 1024);
  /** When the tests' spans arrive. */
  static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  /** Late enough that every segment is due. */
  static final Instant END = Instant.ofEpochMilli(Long.MAX_VALUE);

  private RedisStoreFixture() {}

  /** Options for a store on {@code server}, keys under the default prefix. */
  static RedisStoreOptions.Builder options(RedisServers server) {
    return RedisStoreOptions.builder().uri(server.uri());
  }

  /** Options for a store on {@code server}, keys under {@code prefix}, so that tests on one server stay apart. */
  static RedisStoreOptions.Builder options(RedisServers server, String prefix) {
    return options(server).keyPrefix(prefix);
  }

  /** A store on {@code server}, keys under {@code prefix}. */
  static RedisSegmentStore connect(RedisServers server, String prefix) {
    return RedisSegmentStore.connect(options(server, prefix).build());
  }
}
