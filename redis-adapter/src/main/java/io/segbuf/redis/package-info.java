/** The Redis segment store: shared, crash-safe buffered state on Redis and Redis Cluster. */
@NullMarked
package io.segbuf.redis;

import org.jspecify.annotations.NullMarked;
