/** Tests of the Redis store against real redis-server processes. */
@NullMarked
package io.segbuf.redis;

import org.jspecify.annotations.NullMarked;
