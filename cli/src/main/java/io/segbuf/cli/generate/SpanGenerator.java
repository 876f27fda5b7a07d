package io.segbuf.cli.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Objects;

/**
 * Generates realistic synthetic spans in Sentry's {@code ingest-spans} shape, one JSON object per
 * span, deterministically from {@link GeneratorOptions} (same options and seed, same bytes).
 *
 * <p>Output is streamed: memory is bounded by {@code concurrentTraces * spansPerTrace} planned spans
 * plus at most {@value Emission#MAX_PENDING_LATE} late spans held back, never by the total output.
 *
 * <p>What the output guarantees:
 *
 * <ul>
 *   <li>{@code traces * spansPerTrace} spans; every trace has exactly one root (no {@code
 *       parent_span_id}, {@code "is_segment":true}); every parent is a span of the same trace; the
 *       tree respects {@code depth} and, unless the tree is full, {@code fanOut} (see {@code
 *       GeneratorOptions#fanOut});
 *   <li>a non-root span carries {@code "is_segment":true} only as a service entry, and then possibly
 *       another project id, which its own descendants share;
 *   <li>{@code received} is non-decreasing over the output, and {@code end_timestamp <= received};
 *   <li>each span's JSON is exactly a size drawn uniformly from {@code [minSpanBytes,
 *       maxSpanBytes]}, except that a span is never smaller than its fixed fields (about 300 to 400
 *       bytes): so it exceeds {@code maxSpanBytes} only if {@code maxSpanBytes} is below that;
 *   <li>valid JSON and valid UTF-8, including escaped quotes, backslashes and control characters.
 * </ul>
 *
 * <p>Thread-safe and immutable; each {@link #iterator()} is an independent run that must be used by
 * one thread. The returned byte arrays are new and belong to the caller.
 */
public final class SpanGenerator implements Iterable<byte[]> {

  private final GeneratorOptions options;

  public SpanGenerator(GeneratorOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public GeneratorOptions options() {
    return options;
  }

  /** Number of spans each run emits. */
  public long spanCount() {
    return options.totalSpans();
  }

  /** A new run from the start: single-span JSON objects, without a trailing newline. */
  @Override
  public Iterator<byte[]> iterator() {
    return new Emission(options);
  }

  /**
   * Writes the whole run as NDJSON (each span followed by {@code '\n'}) and flushes {@code out};
   * does not close it. Wrap an unbuffered stream in a {@link java.io.BufferedOutputStream}.
   *
   * @return the number of spans written
   */
  public long writeTo(OutputStream out) throws IOException {
    long written = 0;
    for (byte[] span : this) {
      out.write(span);
      out.write('\n');
      written++;
    }
    out.flush();
    return written;
  }
}
