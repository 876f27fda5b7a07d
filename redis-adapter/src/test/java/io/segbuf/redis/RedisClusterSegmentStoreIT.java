package io.segbuf.redis;

import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SegmentStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against a 3-master Redis Cluster. */
class RedisClusterSegmentStoreIT extends SegmentStoreContract {
  @RegisterExtension static final RedisExtension redis = RedisExtension.cluster();

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @Override
  protected SegmentStore newStore() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uris(redis.get().uris()).cluster(true)
        .keyPrefix("cluster" + PREFIXES.incrementAndGet()).build());
  }
}
