package io.segbuf.redis;

import io.segbuf.ServerExtension;
import java.util.function.Supplier;

/**
 * Real {@code redis-server}s for one test class: {@code @RegisterExtension static final RedisExtension redis =
 * RedisExtension.standalone();}, then {@code redis.get().uri()}. Shipped in redis-adapter's test-jar.
 */
public final class RedisExtension extends ServerExtension<RedisServers> {
  private RedisExtension(Supplier<RedisServers> start) {
    super(start);
  }

  /** One standalone server without persistence. */
  public static RedisExtension standalone() {
    return new RedisExtension(RedisServers::standalone);
  }

  /** A 3-master cluster. */
  public static RedisExtension cluster() {
    return new RedisExtension(RedisServers::cluster);
  }
}
