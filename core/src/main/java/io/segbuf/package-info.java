/**
 * segbuf's embedding API: spans in ({@link io.segbuf.Span}), segments assembled by {@link io.segbuf.SpanBuffer}
 * under a {@link io.segbuf.FlushPolicy}, and a byte-budget {@link io.segbuf.Chunker} that turns a
 * {@link io.segbuf.Segment} into {@link io.segbuf.Message}s without a store, a sink or a clock. What a store or a
 * sink author implements is in {@link io.segbuf.spi}.
 */
@NullMarked
package io.segbuf;

import org.jspecify.annotations.NullMarked;
