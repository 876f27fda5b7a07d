/** Tests of segbuf's API, and the spans, stores and sinks tests share. */
@NullMarked
package io.segbuf;

import org.jspecify.annotations.NullMarked;
