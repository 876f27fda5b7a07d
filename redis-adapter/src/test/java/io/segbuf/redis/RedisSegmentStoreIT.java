package io.segbuf.redis;

import io.segbuf.SegmentStore;
import io.segbuf.SegmentStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against one standalone redis-server. */
class RedisSegmentStoreIT extends SegmentStoreContract {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServers redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServers.standalone();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected SegmentStore newStore() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.uri())
        .keyPrefix("contract" + PREFIXES.incrementAndGet()).build());
  }
}
