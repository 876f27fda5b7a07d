/** Internals of the Redis store: key layout, scripts, codecs. Internal, may change in any release. */
@NullMarked
package io.segbuf.redis.internal;

import org.jspecify.annotations.NullMarked;
