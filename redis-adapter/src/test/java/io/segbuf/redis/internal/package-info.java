/** Unit tests of the Redis store's internals. */
@NullMarked
package io.segbuf.redis.internal;

import org.jspecify.annotations.NullMarked;
