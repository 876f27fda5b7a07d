/**
 * segbuf's Redis store: {@link io.segbuf.redis.RedisSegmentStore}, a {@link io.segbuf.spi.SegmentStore} on Redis
 * and Redis Cluster. Its changelog, compaction and fencing ({@code io.segbuf.redis.internal}) are not exported.
 */
// Lettuce ships no module descriptor: they are automatic modules.
@SuppressWarnings("requires-automatic")
module io.segbuf.redis {
  requires transitive io.segbuf.core;
  requires lettuce.core;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.segbuf.redis;
}
