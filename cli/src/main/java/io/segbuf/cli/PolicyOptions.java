package io.segbuf.cli;

import io.segbuf.FlushPolicy;
import io.segbuf.SpanBufferConfig;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The flush-policy options that {@code replay} and {@code run} share (a picocli mixin). */
public final class PolicyOptions {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Inactivity timeout while the root is missing. Default: ${DEFAULT-VALUE}.")
  double timeoutSeconds;

  @Option(names = "--root-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "Inactivity timeout once the root has arrived. Default: ${DEFAULT-VALUE}.")
  double rootTimeoutSeconds;

  @Option(names = "--max-lifetime", paramLabel = "SECONDS",
      description = "Hard limit from a segment's first span. Default: off.")
  @Nullable Double maxLifetimeSeconds;

  @Option(names = "--max-segment-bytes", paramLabel = "BYTES",
      defaultValue = "" + FlushPolicy.DEFAULT_MAX_SEGMENT_BYTES,
      description = "Buffered span bytes at which a segment is flushed at once. Default: ${DEFAULT-VALUE}.")
  long maxSegmentBytes;

  @Option(names = "--max-buffered-bytes", paramLabel = "BYTES", defaultValue = "" + SpanBufferConfig.NO_BUFFER_LIMIT,
      description = "When the buffer holds more, the oldest segments are flushed early (nothing is dropped); "
          + "0 for no limit. Default: ${DEFAULT-VALUE}.")
  long maxBufferedBytes;

  @Option(names = "--max-flush-segments", paramLabel = "N",
      defaultValue = "" + SpanBufferConfig.DEFAULT_MAX_FLUSH_SEGMENTS,
      description = "Most segments flushed per shard per flush cycle. Default: ${DEFAULT-VALUE}.")
  int maxFlushSegments;

  /** A configuration builder with these options set; the caller adds the rest and builds. */
  public SpanBufferConfig.Builder builder() {
    SpanBufferConfig.Builder b = SpanBufferConfig.builder()
        .timeout(seconds(timeoutSeconds))
        .rootTimeout(seconds(rootTimeoutSeconds))
        .maxSegmentBytes(maxSegmentBytes)
        .maxBufferedBytes(maxBufferedBytes)
        .maxFlushSegments(maxFlushSegments);
    if (maxLifetimeSeconds != null) {
      b.maxLifetime(seconds(maxLifetimeSeconds));
    }
    return b;
  }

  /** Seconds as a user types them (fractions allowed) to a duration, to the millisecond. */
  public static Duration seconds(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }
}
