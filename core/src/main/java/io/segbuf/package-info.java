/**
 * segbuf's public API and SPI: spans in, segments assembled by {@link io.segbuf.SpanBuffer}, messages out
 * through a {@link io.segbuf.SegmentSink}, state in a {@link io.segbuf.SegmentStore}.
 */
@NullMarked
package io.segbuf;

import org.jspecify.annotations.NullMarked;
