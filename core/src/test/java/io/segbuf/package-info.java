/** Tests of segbuf's API and the store contract kit. */
@NullMarked
package io.segbuf;

import org.jspecify.annotations.NullMarked;
