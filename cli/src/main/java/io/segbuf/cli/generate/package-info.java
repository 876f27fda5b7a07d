/**
 * Synthetic span generator: realistic, seeded, streamed NDJSON spans in the {@code ingest-spans}
 * shape, for {@code segbuf generate}, tests and benchmarks.
 */
@NullMarked
package io.segbuf.cli.generate;

import org.jspecify.annotations.NullMarked;
