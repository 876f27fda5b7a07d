/** Tests of segbuf's internals. */
@NullMarked
package io.segbuf.internal;

import org.jspecify.annotations.NullMarked;
