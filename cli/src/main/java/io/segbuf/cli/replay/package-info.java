/** {@code segbuf replay}: NDJSON spans through a {@link io.segbuf.SpanBuffer}, messages out as NDJSON. */
@NullMarked
package io.segbuf.cli.replay;

import org.jspecify.annotations.NullMarked;
