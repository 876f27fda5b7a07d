/** The segbuf command line (picocli): replay, generate and run. */
@NullMarked
package io.segbuf.cli;

import org.jspecify.annotations.NullMarked;
