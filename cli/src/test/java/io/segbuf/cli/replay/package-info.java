/** Tests of segbuf replay. */
@NullMarked
package io.segbuf.cli.replay;

import org.jspecify.annotations.NullMarked;
