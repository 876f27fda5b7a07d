/** Tests of {@code segbuf run}. */
@NullMarked
package io.segbuf.cli.run;

import org.jspecify.annotations.NullMarked;
