package io.segbuf.redis;

import io.segbuf.SegmentStore;
import io.segbuf.SegmentStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against a 3-master Redis Cluster, with compression on. */
class RedisClusterSegmentStoreIT extends SegmentStoreContract {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServers redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServers.cluster();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected SegmentStore newStore() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uris(redis.uris()).cluster(true)
        .compression(true).compressionMinBytes(64)
        .keyPrefix("cluster" + PREFIXES.incrementAndGet()).build());
  }
}
