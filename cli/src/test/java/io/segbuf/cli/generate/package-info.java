/** Tests of the synthetic span generator. */
@NullMarked
package io.segbuf.cli.generate;

import org.jspecify.annotations.NullMarked;
