/**
 * segbuf's SPI, for store and sink authors: messages go out through a {@link io.segbuf.spi.SegmentSink}, state
 * lives in a {@link io.segbuf.spi.SegmentStore}; a store that keeps its state elsewhere as a changelog per shard
 * compacts it into a {@link io.segbuf.spi.SnapshotStore}'s snapshot. A store proves its contract by extending
 * {@code io.segbuf.spi.SegmentStoreContract} from core's test-jar.
 */
@NullMarked
package io.segbuf.spi;

import org.jspecify.annotations.NullMarked;
