package io.segbuf.redis;

import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SegmentStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against one standalone redis-server. */
class RedisSegmentStoreIT extends SegmentStoreContract {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @Override
  protected SegmentStore newStore() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.get().uri())
        .keyPrefix("contract" + PREFIXES.incrementAndGet()).build());
  }
}
