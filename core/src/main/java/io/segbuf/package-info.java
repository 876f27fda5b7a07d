/**
 * segbuf's public API and SPI: spans in, segments assembled by {@link io.segbuf.SpanBuffer}, messages out
 * through a {@link io.segbuf.SegmentSink}, state in a {@link io.segbuf.SegmentStore}; a store that keeps its state
 * elsewhere as a changelog per shard compacts it into a {@link io.segbuf.SnapshotStore}'s snapshot.
 */
@NullMarked
package io.segbuf;

import org.jspecify.annotations.NullMarked;
