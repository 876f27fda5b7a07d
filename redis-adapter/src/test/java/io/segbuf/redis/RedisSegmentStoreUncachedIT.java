package io.segbuf.redis;

import io.segbuf.SegmentStore;
import io.segbuf.SegmentStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract with no replica kept between calls: every call rebuilds its trace from the trace log. */
class RedisSegmentStoreUncachedIT extends SegmentStoreContract {
  @RegisterExtension static final RedisExtension redis = RedisExtension.standalone();

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @Override
  protected SegmentStore newStore() {
    return RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.get().uri())
        .keyPrefix("uncached" + PREFIXES.incrementAndGet()).replicaBytes(0).build());
  }

  /** Each call replays the whole trace log: a chain added a span per call costs quadratic work. */
  @Override
  protected int leafFirstChainLength() {
    return 300;
  }
}
