/** Tests of the segbuf command line. */
@NullMarked
package io.segbuf.cli;

import org.jspecify.annotations.NullMarked;
