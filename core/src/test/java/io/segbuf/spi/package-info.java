/** The store contract kit, which every {@link io.segbuf.spi.SegmentStore} extends in its tests. */
@NullMarked
package io.segbuf.spi;

import org.jspecify.annotations.NullMarked;
