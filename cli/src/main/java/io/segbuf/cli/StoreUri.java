package io.segbuf.cli;

import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --store} option: {@code memory}, {@code redis://[user:password@]host:port} (or {@code rediss://}
 * for TLS) for a standalone Redis, or {@code redis-cluster://host:port,host:port,...} (or {@code
 * rediss-cluster://}) for a Redis Cluster given by its seed nodes.
 */
public final class StoreUri {
  public static final String MEMORY = "memory";

  private StoreUri() {}

  /** Checks the form; returns a problem in {@code --store must <rule> but was <value>} form, or null. */
  public static @org.jspecify.annotations.Nullable String problem(String store) {
    String lower = store.toLowerCase(Locale.ROOT);
    if (lower.equals(MEMORY) || lower.startsWith("redis://") || lower.startsWith("rediss://")
        || lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://")) {
      return null;
    }
    return "--store must be memory, redis://host:port or redis-cluster://host:port,... but was " + store;
  }

  /** Opens the store the option names; the caller closes it. */
  public static SegmentStore open(String store) {
    String lower = store.toLowerCase(Locale.ROOT);
    if (lower.equals(MEMORY)) {
      return SegmentStore.inMemory();
    }
    boolean cluster = lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://");
    RedisStoreOptions.Builder options = RedisStoreOptions.builder().cluster(cluster);
    if (cluster) {
      String scheme = lower.startsWith("rediss") ? "rediss://" : "redis://";
      String rest = store.substring(store.indexOf("://") + 3);
      String credentials = rest.contains("@") ? rest.substring(0, rest.lastIndexOf('@') + 1) : "";
      List<String> uris = new ArrayList<>();
      for (String node : rest.substring(credentials.length()).split(",")) {
        uris.add(scheme + credentials + node.strip());
      }
      options.uris(uris);
    } else {
      options.uri(store);
    }
    return RedisSegmentStore.connect(options.build());
  }
}
